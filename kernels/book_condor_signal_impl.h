/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Condor adjustments by SPX signals (docs/book.md "Condor adjustments"),
 * over one vector of lanes; the condor layer calls them and nothing else
 * reads them:
 *   signals (every step k > 0, before the condor's exits), with r = S / S_prev - 1:
 *     RSI(14) by Wilder's smoothing of gains and losses, MACD(12, 26) and its
 *     signal(9), as the perp's on the token (book_layers_impl.h);
 *     breadth: the day's net advances a = 2 Phi(x) - 1 in (-1, 1),
 *     x = rho z + sqrt(1 - rho^2) e, z = ln(S / S_prev) / sqrt(v_prev dt) the
 *     SPX return in standard deviations and e the path's breadth normal; the
 *     advance-decline line adds a; its McClellan oscillator is
 *     EMA19(a) - EMA39(a) (weights 0.10, 0.05);
 *   entry shifts: the short call x (1 + rsi_shift) when RSI > rsi_hi and
 *     x (1 + breadth_shift) when the oscillator > thr; the short put
 *     x (1 - rsi_shift) when RSI < rsi_lo and x (1 - breadth_shift) when it
 *     is < -thr; before the strikes are rounded to the grid (the wings follow);
 *   roll timing: in the roll window the time roll happens at a crossover of
 *     MACD and its signal, at the latest macd_wait_days steps into the window.
 * Included by book_layers_impl.h before the condor (book_lanes, signals_update).
 */

#define QLD(a) vd_load_n((a) + x->i, x->m)
#define QST(a, v) vd_store_n((a) + x->i, x->m, (v))

#define MCCLELLAN_FAST 19.0
#define MCCLELLAN_SLOW 39.0

/* Updates the SPX signals of the lanes; returns where MACD crossed its signal this step. */
static inline vm condor_signals_step(const book_lanes *x)
{
    const alvh_book_consts *c = x->c;
    const alvh_book_state *s = x->s;
    const vd zero = v1(0.0), one = v1(1.0);
    if (!x->moving)
        return vd_lt(one, zero);
    vd sp = QLD(s->q_prev_s);
    signals_state z = {QLD(s->q_gain), QLD(s->q_loss), QLD(s->q_e12), QLD(s->q_e26), QLD(s->q_sig9), sp};
    signals_update(&z, x->spx); /* the perp's RSI and MACD, on SPX */
    QST(s->q_gain, z.gain), QST(s->q_loss, z.loss);
    QST(s->q_e12, z.e12), QST(s->q_e26, z.e26), QST(s->q_sig9, z.sg9);
    vd up = vmask(vd_lt(z.sg9, vd_sub(z.e12, z.e26))), up0 = QLD(s->q_macd_up);
    QST(s->q_macd_up, up);
    if (c->q_breadth) {
        const alvh_condor_signal_params *qp = &c->p.condor_signals;
        vd zs = vd_div(vmath_log(vd_div(x->spx, sp)), vd_sqrt(vd_mul(vd_max(QLD(s->q_prev_v), v1(1e-8)), v1(c->dt))));
        vd xz = vd_fma(v1(qp->breadth_rho), zs, vd_mul(v1(sqrt(1.0 - qp->breadth_rho * qp->breadth_rho)),
                                                      QLD(x->mk->z_breadth)));
        vd adv = vd_sub(vd_mul(v1(2.0), vmath_ncdf(xz)), one);
        vd b19 = QLD(s->q_b19), b39 = QLD(s->q_b39);
        QST(s->q_b19, vd_fma(vd_sub(adv, b19), v1(2.0 / (MCCLELLAN_FAST + 1.0)), b19));
        QST(s->q_b39, vd_fma(vd_sub(adv, b39), v1(2.0 / (MCCLELLAN_SLOW + 1.0)), b39));
        QST(s->q_adv, vd_add(QLD(s->q_adv), adv));
    }
    QST(s->q_prev_s, x->spx);
    QST(s->q_prev_v, x->var);
    return vd_lt(v1(0.5), vd_abs(vd_sub(up, up0)));
}

/* The time-roll test with MACD timing: in the window, a crossover or the hard limit. */
static inline vm condor_roll_due(const book_lanes *x, vd steps_left, vm cross)
{
    const alvh_book_consts *c = x->c;
    vm window = vd_le(steps_left, v1(c->c_roll_steps_left));
    if (!c->p.condor_signals.macd_roll)
        return window;
    return vm_and(window, vm_or(cross, vd_le(steps_left, v1(c->q_hard_left))));
}

/* Entry factors of the short put and call of lanes idx (packed, as condor_entries). */
static inline void condor_strike_factors(const alvh_book_consts *c, const alvh_book_state *s, const size_t *idx,
                                         vd *f_put, vd *f_call)
{
    const alvh_condor_signal_params *qp = &c->p.condor_signals;
    double rsi[ALVH_W], osc[ALVH_W];
    for (size_t j = 0; j < ALVH_W; j++) {
        double g = s->q_gain[idx[j]], l = s->q_loss[idx[j]];
        rsi[j] = g + l > 0.0 ? 100.0 * g / (g + l) : 50.0;
        osc[j] = s->q_b19[idx[j]] - s->q_b39[idx[j]];
    }
    vd r = vd_load(rsi), o = vd_load(osc), zero = v1(0.0);
    vd dp = vd_blend(vd_lt(r, v1(qp->rsi_lo)), zero, v1(qp->rsi_shift_frac));
    vd dc = vd_blend(vd_lt(v1(qp->rsi_hi), r), zero, v1(qp->rsi_shift_frac));
    if (c->q_breadth) {
        dp = vd_add(dp, vd_blend(vd_lt(o, v1(-qp->breadth_thr)), zero, v1(qp->breadth_shift_frac)));
        dc = vd_add(dc, vd_blend(vd_lt(v1(qp->breadth_thr), o), zero, v1(qp->breadth_shift_frac)));
    }
    *f_put = vd_sub(v1(1.0), dp);
    *f_call = vd_add(v1(1.0), dc);
}

#undef QLD
#undef QST
