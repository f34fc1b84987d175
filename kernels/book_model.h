/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ALVH hedge book (DESIGN.md section 5): seven layers evaluated per path
 * per step on the market of market_model.h. Sizes are fractions of the starting
 * capital C; P&L in USD; days are model steps (trading days, dt = 1/252 by
 * default) unless a name says _cal (calendar days, /365 for option lives).
 *
 * One call of the step kernel advances one variant (a set of layers) of the
 * book for n paths; the state is structure of arrays, one lane per path. Layer
 * P&L is each layer's equity (cash plus marks) minus its starting equity, so the
 * layers sum to the total. See docs/book.md for every rule and its parameters.
 */
#ifndef ALVH_KERNELS_BOOK_MODEL_H
#define ALVH_KERNELS_BOOK_MODEL_H

#include <stddef.h>

#include "kernels/bs.h"
#include "kernels/market_model.h"

enum {
    ALVH_LAYER_CONDOR = 0,
    ALVH_LAYER_VIX,
    ALVH_LAYER_FARM,
    ALVH_LAYER_PERP,
    ALVH_LAYER_PUTS,
    ALVH_LAYER_CALLS,
    ALVH_LAYER_BORROW,
    ALVH_LAYER_LP,
    ALVH_LAYER_COVER,
    ALVH_LAYER_ETH_PUTS,
    ALVH_LAYER_COUNT
};

/* layer names as they appear in configs and output columns */
extern const char *const alvh_layer_names[ALVH_LAYER_COUNT];

typedef struct alvh_condor_params {
    double entry_dte_cal;    /* calendar days to expiry at entry (45) */
    double short_delta;      /* |delta| of the short put and short call (0.16) */
    double wing_width_pts;   /* long strikes this far beyond the shorts (index points) */
    double strike_grid_pts;  /* strikes are multiples of this (5) */
    double max_loss_frac;    /* contracts sized so (width - credit) x 100 x n = this x C */
    double profit_take;      /* close when the cost to close < (1 - this) x credit */
    double stop_mult;        /* close when the cost to close >= this x credit */
    double roll_dte_cal;     /* close ("time shift") at this many calendar days left (21) */
    double vix_max;          /* no new entry while VIX is above this */
    double commission_usd;   /* per contract per leg, each way */
    double slippage_pts;     /* per leg, index points, against us each way */
    alvh_iv_skew skew;       /* implied-vol skew over the model's expected variance */
} alvh_condor_params;

typedef struct alvh_vixhedge_params {
    double buy_every_days;   /* a purchase is considered every this many steps */
    double tenor_cal;        /* calendar days to expiry at purchase (30) */
    double call_delta;       /* Black-76 delta of the bought call (0.30) */
    double regime_lo, regime_mid, regime_hi;      /* forward-VIX thresholds of the VXTH table (15, 30, 50) */
    double budget_lo, budget_mid, budget_hi, budget_top; /* premium per purchase per regime, fraction of the base */
    int budget_of_condor;    /* 1: the base is the condor's max loss (max_loss_frac x C), 0: the capital C */
    int roll_at_expiry;      /* 1: a call sold at the roll is replaced the same step (VXTH), 0: next schedule */
    double monetize_vix;     /* sell everything when spot VIX >= this */
    double monetize_mult;    /* or when the position is worth >= this x its cost */
    double roll_days;        /* sell this many steps before expiry */
    double slippage_frac;    /* of the premium, each way */
    double timelock_days;    /* a purchase decided at t (strike, budget) is executed at t + d */
} alvh_vixhedge_params;

typedef struct alvh_farm_params {
    double stake_frac;       /* of C staked in the token at t = 0 (<= 0.40, refused above) */
    double apr0;             /* reward APR at t = 0, in tokens per staked token per year */
    double apr_decay_ann;    /* APR(t) = apr0 e^{-decay t} x emission cuts */
    double harvest_days;     /* rewards are harvested every this many steps */
    int restake;             /* 1: harvested rewards are staked, 0: sold at market */
    double gov_cut;          /* each down governance shock multiplies emissions by this */
} alvh_farm_params;

typedef struct alvh_perp_params {
    double h_base;           /* hedge ratio: short notional / stake value */
    double h_min, h_max;     /* clamp of the adapted ratio */
    double w_rsi;            /* + w_rsi (RSI - 50) / 50: short more when overbought */
    double w_macd;           /* - w_macd when MACD is above its signal (uptrend) */
    double w_funding;        /* + w_funding (f - f_bar): short more when funding is rich */
    double band;             /* hysteresis: a new ratio is decided only if it moves this much */
    double timelock_days;    /* decided at t, executed at t + d (multisig), 0..ALVH_PERP_MAX_DELAY */
    double leverage;         /* initial margin posted from cash = notional / leverage */
    double maint_margin;     /* liquidated when account equity < this x notional */
    double liq_penalty;      /* venue's liquidation fee, fraction of the notional at the liquidation price */
    double fee_frac;         /* trading fee, fraction of traded notional */
    int margin_topup;        /* 0: no top-ups; 1: top up from cash to topup_target when below topup_trigger */
    double topup_trigger;    /* account equity / notional below which cash is added */
    double topup_target;     /* ... up to this equity / notional */
    double margin_budget_frac; /* most cash kept with the venue, net of what came back, fraction of C */
    double cooldown_days;    /* steps without a position after a liquidation */
    double reentry_cost_frac; /* extra cost of the re-entry after a liquidation, fraction of its notional */
} alvh_perp_params;

#define ALVH_PERP_MAX_DELAY 16

typedef struct alvh_puts_params {
    double cover_frac;       /* fraction of the staked tokens covered (at most: the budget may cover less) */
    double budget_ann;       /* premium per year, fraction of the covered stake's value (0: no budget) */
    double otm_frac;         /* strike = G (1 - otm) */
    double roll_days;        /* bought every this many steps, expiring at the next roll */
    double jump_var_ann;     /* token implied variance added to sigma_G^2 (jump risk premium) */
    double slippage_frac;    /* of the premium, each way */
    double timelock_days;    /* the roll's purchase decided at t (strike, cover, budget) is executed at t + d */
} alvh_puts_params;

typedef struct alvh_calls_params {
    double otm_frac;         /* strike = G (1 + otm) */
    double cover_frac;       /* fraction of the harvested rewards written on */
    double slippage_frac;
    double timelock_days;    /* calls decided at the roll (strike, size) are written at t + d */
} alvh_calls_params;

typedef struct alvh_borrow_params {
    double ltv_target;       /* debt at t = 0 = this x stake value */
    double liq_threshold;    /* health factor = collateral x this / debt */
    double liq_bonus;        /* liquidator's bonus on seized collateral (the penalty) */
    double close_factor;     /* fraction of the debt repaid per liquidation above full_close_hf */
    double full_close_hf;    /* at or below this health factor the whole debt may be repaid (Aave v3: 0.95) */
    double dust_usd;         /* collateral or debt below this is closed in full (Aave v3.3: 2000) */
    double borrow_apr;       /* interest on the debt per year */
    double stable_apr;       /* yield on the unspent proceeds per year */
    int redeploy;            /* 1: proceeds buy tokens (collateral too), 0: held in stables */
    double adl_hf;           /* auto-deleverage below this health factor (0: off) */
    double adl_target_hf;    /* ... repaying from stables until the health factor is this */
    double timelock_days;    /* an auto-deleverage decided at t is repaid at t + d */
} alvh_borrow_params;

/* Liquidity in a token/USD pool (kernels/book_lp_impl.h, docs/book.md "lp"). */
typedef struct alvh_lp_params {
    double deposit_frac;     /* of C deposited at t = 0, half swapped into tokens */
    double range_mult;       /* range [P/m, P m] around the price at deposit or re-centring; 0: full range */
    double fee_apr_full;     /* fees per year per unit value of a full-range position at sigma_G0 */
    double fee_vol_power;    /* fees x (sigma_G / sigma_G0)^this */
    double swap_fee_frac;    /* pool fee on the book's own swaps */
    int recentre;            /* 1: re-centre after recentre_days steps out of range */
    double recentre_days;
    int pair_eth;            /* 1: token/ETH pool (price G/E, amounts in ETH); 0: token/USD */
} alvh_lp_params;

/* Smart-contract cover on the farm's stake (book_cover_impl.h). */
typedef struct alvh_cover_params {
    double cover_frac;       /* of the stake's value covered */
    double premium_ann;      /* premium per year on the covered amount */
    double claim_prob;       /* a claim is accepted with this probability */
    double haircut;          /* of an accepted claim withheld */
} alvh_cover_params;

/* IRR-versus-WACC rule on the farm's stake (book_irr_impl.h). */
typedef struct alvh_irr_params {
    int on;
    double window_days;      /* EMA length of the trailing IRR, steps */
    double spread;           /* hurdle = borrow_apr + spread */
    double band;             /* scale up only above hurdle + band */
    double step_frac;        /* stake moved per decision, fraction of the initial stake */
    double min_scale;        /* lowest stake, fraction of the initial */
    double every_days;       /* decision period, steps */
    double timelock_days;    /* decided at t, executed at t + d */
} alvh_irr_params;

/* Condor adjustments by SPX signals (book_condor_signal_impl.h). */
typedef struct alvh_condor_signal_params {
    double rsi_hi, rsi_lo;    /* SPX RSI(14) overbought / oversold levels */
    double rsi_shift_frac;    /* RSI > rsi_hi: call short strike x (1 + this); < rsi_lo: put x (1 - this); 0: off */
    double breadth_rho;       /* correlation of the breadth draw with the SPX return */
    double breadth_thr;       /* oscillator level beyond which the breadth shifts a strike */
    double breadth_shift_frac; /* oscillator > thr: call x (1 + this); < -thr: put x (1 - this); 0: off (no draws) */
    int macd_roll;            /* 1: in the roll window the time roll waits for an SPX MACD crossover */
    double macd_wait_days;    /* ... at most this many steps */
} alvh_condor_signal_params;

/* The protocol's runway as a signal on the farm's stake (book_runway_impl.h). */
typedef struct alvh_runway_params {
    int on;
    double cut_years;        /* the stake is cut when the runway falls below this */
    double restore_years;    /* ... and restored when it is back above this */
    double scale;            /* stake while cut, fraction of what the other rules hold */
    double timelock_days;    /* decided at t, executed at t + d */
} alvh_runway_params;

/* ETH puts as a cross-hedge of the stake (book_eth_puts_impl.h). */
typedef struct alvh_eth_puts_params {
    double cover_frac;       /* ETH notional = this x beta_eth x stake value */
    double otm_frac;         /* strike = E (1 - otm) */
    double roll_days;
    double jump_var_ann;     /* ETH implied variance add-on */
    double slippage_frac;
} alvh_eth_puts_params;

/* Costs of on-chain actions (kernels/gas.h). */
typedef struct alvh_gas_params {
    double usd_per_tx;       /* at VIX = vix_ref */
    double vix_ref;
    double vix_power;        /* gas = usd_per_tx (VIX / vix_ref)^vix_power */
    double mev_bps;          /* sandwich slippage per swap, bp of notional */
    double lp_txs;           /* transactions per LP range change */
    int all_layers;          /* 1: the farm, borrow, puts and calls pay for their on-chain actions too */
} alvh_gas_params;

/* The book's cash account: capital not deployed, premiums, fees, margin
 * postings and returns; it earns the scenario's r or a fixed rate. */
typedef struct alvh_cash_params {
    int market_rate;         /* 1: earn the scenario's r_ann, 0: earn rate_ann */
    double rate_ann;         /* fixed rate when market_rate = 0 */
} alvh_cash_params;

typedef struct alvh_book_params {
    double capital_usd;
    alvh_cash_params cash;
    alvh_condor_params condor;
    alvh_vixhedge_params vix;
    alvh_farm_params farm;
    alvh_perp_params perp;
    alvh_puts_params puts;
    alvh_calls_params calls;
    alvh_borrow_params borrow;
    alvh_lp_params lp;
    alvh_gas_params gas;
    alvh_cover_params cover;
    alvh_irr_params irr;
    alvh_eth_puts_params eth_puts;
    alvh_runway_params runway;
    alvh_condor_signal_params condor_signals;
} alvh_book_params;

/* Documented defaults (book_params.def, docs/book.md); farm.gov_cut 0.5. */
alvh_book_params alvh_book_defaults(void);

/* 0 when every parameter lies in its range of book_params.def; else -1 and
 * "book.section.key: expected a number in ..., got x" in msg. */
int alvh_book_check_ranges(const alvh_book_params *p, char *msg, size_t msg_size);

/* What the step kernel needs, precomputed once per (book, market, dt). */
typedef struct alvh_book_consts {
    alvh_book_params p;
    double dt, r_ann, q_ann;
    alvh_iv_model spx_iv;       /* SPX implied vol from the variance (the one-factor marks) */
    /* the Q price table of the condor's legs (kernels/q_table.h), owned and
     * filled by the caller after alvh_book_consts_init; NULL: one-factor marks */
    const struct alvh_qtab *qtab;
    /* the Q price tables of the token's and ETH's options (kernels/q_asset.h),
     * likewise; NULL: the flat vol with the model's jump variance */
    const struct alvh_qtab *qtab_tok, *qtab_eth;
    /* the VIX option table of the VIX calls (kernels/vix_table.h), likewise;
     * NULL: the one-factor lognormal marks of kernels/vix.h */
    const struct alvh_vtab *vtab;
    double g_yield_ann;         /* token.staking_yield_ann: the token options' dividend yield */
    double spx_mu_v;            /* variance jumps (the tables price none: refused with option layers) */
    double g_jump_var_ann, e_jump_var_ann; /* jump variance per year of the token, of ETH (Q) */
    alvh_vix_coeffs vix;        /* VIX futures from the variance */
    double g_sigma0, g_inv_vix_ref2, g_half_gamma, g_sigma_max; /* token vol from VIX */
    int g_vol_mode;
    double f_bar;
    /* condor */
    double c_t_entry, c_roll_steps_left; /* entry life in years, time-roll threshold in steps */
    size_t c_life_steps;
    double c_zp, c_zc;          /* N^{-1} of the short deltas (with the e^{qT} factor) */
    /* vix */
    size_t x_every, x_life_steps, x_roll_steps;
    double x_t_life, x_zd;      /* N^{-1}(delta e^{rT}) */
    /* farm */
    size_t f_every;
    double hack_loss;           /* fraction of the stake an exploit takes (market token params) */
    /* cash account */
    double a_rate_dt;           /* interest per step on the cash balance */
    /* perp */
    size_t p_delay;
    double p_cool_steps;
    double p_budget_usd;        /* margin_budget_frac x C */
    /* timelocks (steps) of the other rebalancing layers */
    size_t u_delay, k_delay, x_delay, b_delay;
    /* puts, calls */
    size_t u_every;
    double u_t_life;
    size_t k_every;
    double k_t_life;
    /* lp */
    double l_inv_rs;            /* 1/sqrt(range_mult): sqrt(P_lo) = sqrt(P)/sqrt(m); 0 for the full range */
    double l_fee_dt;            /* fee_apr_full x dt */
    double l_wait;              /* steps out of range before a re-centring */
    /* irr rule */
    double i_alpha;             /* EMA weight 1/window */
    size_t i_every, i_delay;
    /* runway rule */
    double r_delay;             /* timelock in steps */
    /* condor signals */
    int q_on;                   /* any of the adjustments on: the SPX signals are updated */
    int q_breadth;              /* breadth_shift_frac > 0: the breadth line is simulated */
    double q_hard_left;         /* with macd_roll: roll at the latest at this many steps left */
    /* eth puts */
    int has_eth;
    double e_ratio, e_beta, e_t_life; /* sigma_E / sigma_G, token.beta_eth, option life in years */
    size_t e_every;
} alvh_book_consts;

/* Returns 0, or -1 with a message naming the parameter (stake above 40% of
 * capital, a value outside its range of book_params.def, a rule between keys
 * broken). What a layer needs of the time grid and the market is checked per
 * variant by alvh_book_check_layers. */
int alvh_book_consts_init(alvh_book_consts *c, const alvh_book_params *p, const alvh_market_params *m,
                          double dt_years, char *msg, size_t msg_size);

/* Per-path state of one variant: structure of arrays, each of the block's
 * length. The names are the layer's first letter: c condor, x vix, f farm,
 * p perp, u puts, k calls, b borrow, l lp, v cover; m metrics. */
typedef struct alvh_book_state {
    size_t ld; /* row stride: p_pend holds ALVH_PERP_MAX_DELAY rows of ld */
    double *c_active, *c_exp, *c_enter, *c_idx, *c_kps, *c_kpl, *c_kcs, *c_kcl, *c_n, *c_credit, *c_cash, *c_mark;
    double *c_lk; /* 4 rows: ln of kps, kpl, kcs, kcl, set at entry (the marks need no log of a strike) */
    double *x_n, *x_k, *x_exp, *x_cost, *x_cash, *x_mark;
    double *x_pk, *x_pspend, *x_pat; /* timelocked purchase: strike, budget, step it executes (-1: none) */
    double *f_units, *f_pending, *f_cash, *f_emis;
    double *a_bal, *a_carry, *a_bench; /* cash balance, its interest so far, interest C alone would have earned */
    double *p_units, *p_margin, *p_pnl, *p_cash, *p_h, *p_h_dec, *p_pend; /* p_pend: ALVH_PERP_MAX_DELAY rows */
    double *p_cool, *p_reent, *p_sig; /* cool-down steps left, re-entry pending, token vol for the next step */
    double *s_gain, *s_loss, *s_ema12, *s_ema26, *s_sig9, *s_prev_g; /* signals: RSI(14), MACD(12,26,9) */
    double *u_n, *u_k, *u_cash, *u_mark, *u_pn, *u_pk, *u_pcap; /* u_p*: timelocked roll (contracts, strike, budget) */
    double *k_n, *k_k, *k_cash, *k_mark, *k_harv, *k_pn, *k_pk; /* k_p*: timelocked write */
    double *b_debt, *b_stable, *b_units, *b_cash, *b_hf, *b_pamt, *b_pat; /* b_p*: timelocked repay, its step */
    double *l_liq, *l_sqlo, *l_sqhi, *l_cash, *l_out, *l_tok, *l_cost, *l_n_rc; /* lp: L, sqrt bounds, fees less
                              the deposit, steps out of range, tokens held, on-chain costs, re-centrings */
    double *v_cash, *v_cov, *v_n_paid, *v_n_denied; /* cover: premiums less payouts, covered USD, claims */
    double *e_n, *e_k, *e_cash; /* eth puts: contracts, strike, cash flows */
    double *i_irr, *i_scale, *i_pend, *i_n_dn, *i_n_up; /* irr rule: trailing IRR, stake scale, queued scale, decisions */
    double *r_scale, *r_pend, *r_at, *r_n_cut; /* runway rule: stake factor, queued factor and its step (-1), cuts */
    double *f_cost, *b_cost, *u_cost, *k_cost; /* on-chain costs paid by the farm, borrow, puts, calls (USD) */
    double *q_gain, *q_loss, *q_e12, *q_e26, *q_sig9, *q_prev_s, *q_prev_v; /* SPX RSI(14), MACD(12,26,9) */
    double *q_adv, *q_b19, *q_b39, *q_macd_up; /* breadth: A-D line, its EMAs (McClellan); MACD above signal (1/0) */
    double *m_peak, *m_dd, *m_min_hf, *m_n_liq_p, *m_n_liq_b, *m_t_liq, *m_bad_debt, *m_n_exploit, *m_t_exploit,
        *m_n_stop, *m_t_stop, *m_n_roll, *m_equity, *m_margin_peak;
    double *m_pnl; /* ALVH_LAYER_COUNT rows of ld: each layer's P&L after the step */
    /* P&L of layers stepped elsewhere (may be NULL): added to the equity that
     * drawdowns and fan charts see. The engine steps the layers that interact
     * with nothing (condor, vix) once for all variants and passes their P&L here. */
    const double *ext_pnl;
    const double *ext_cash; /* their cash flows (may be NULL): part of the cash account's balance */
} alvh_book_state;

/* Makes `follower` read and write the layer state of `leader` (every array
 * but the cash account and equity: a_bal, a_carry, a_bench, m_peak, m_dd,
 * m_equity, and ext_pnl, ext_cash, which stay the follower's). Two variants
 * with the same layers (the engine's shared layers aside) evolve identical
 * layer states on the same market, so the leader's step serves both and the
 * follower only runs its own cash account and equity (book_metrics) with its
 * own ext_pnl: the same values as stepping it alone. */
void alvh_book_state_share(alvh_book_state *follower, const alvh_book_state *leader);

/* Number of double rows of alvh_book_state (for one allocation). */
size_t alvh_book_state_rows(void);
/* Point every array of s into mem (rows x ld doubles). */
void alvh_book_state_bind(alvh_book_state *s, double *mem, size_t ld);

/* Market inputs of one step, arrays of the block (prices, not logs).
 * n_tok_jump: token jumps of the step (contagion, governance, exploit);
 * u_book: one uniform per path and step from the path's book stream (the
 * perp's intra-step crossing), the same for every variant. */
typedef struct alvh_book_market {
    const double *spx, *v, *vix, *g, *f, *n_gov_dn, *n_hack, *n_tok_jump, *u_book;
    const double *eth; /* ETH price (NULL without the ETH factor) */
    const double *runway; /* the protocol treasury's runway, years (NULL without a treasury) */
    const double *z_breadth; /* one normal per path and step for the breadth line (NULL: breadth off) */
    /* the variance factors as simulated, for the Q marks: v1 the first (slow)
     * factor, v2 the second (NULL with one factor); v above is the one-factor
     * effective variance. v1 NULL: the Q marks read v. */
    const double *v1, *v2;
} alvh_book_market;

/* Sets the state of n paths at t = 0 (the market at t = 0 in mk). */
void alvh_book_init(const alvh_book_consts *c, unsigned layers, size_t n, const alvh_book_state *s,
                    const alvh_book_market *mk);

#define ALVH_BOOK_STEP_DECLARE(isa)                                                                       \
    void alvh_book_step_##isa(const alvh_book_consts *c, unsigned layers, size_t step, size_t n,             \
                              const alvh_book_state *s, const alvh_book_market *mk);                         \
    void alvh_book_metrics_##isa(const alvh_book_consts *c, unsigned layers, size_t step, size_t n,          \
                                 const alvh_book_state *s);                                                  \
    void alvh_book_levels_##isa(size_t n, const double *restrict ln_s, const double *restrict ln_g,           \
                                double *restrict spx, double *restrict g);
ALVH_BOOK_STEP_DECLARE(scalar)
ALVH_BOOK_STEP_DECLARE(avx2)
ALVH_BOOK_STEP_DECLARE(avx512)

/* 0 if the layer set is consistent (perp, puts, calls and borrow need the
 * farm; calls need restaked rewards) and its layers work on c's time grid and
 * market (the condor's short delta reachable under the dividend yield; the VIX
 * calls' delta under the rate, their roll shorter than their life in steps);
 * else -1 and a message ("book.vix.roll_days: ..." for the latter). */
int alvh_book_check_layers(const alvh_book_consts *c, unsigned layers, char *msg, size_t msg_size);

/* Per-path results of one variant after the last step: P&L per layer and the
 * total (USD), and the metrics. */
enum {
    ALVH_OUT_CASH = ALVH_LAYER_COUNT,  /* columns 0..8: layers, 9: interest of the cash account */
    ALVH_OUT_TOTAL,                    /* 10: layers + cash */
    ALVH_OUT_MAX_DD,                   /* max drawdown of total equity, USD */
    ALVH_OUT_MIN_HF,                   /* minimum health factor (inf without borrowing) */
    ALVH_OUT_N_LIQ_PERP,               /* perp liquidations */
    ALVH_OUT_N_LIQ_BORROW,             /* borrow liquidations */
    ALVH_OUT_T_LIQ,                    /* first liquidation step of either (-1: none) */
    ALVH_OUT_BAD_DEBT,                 /* borrow debt written off once the collateral was gone, USD */
    ALVH_OUT_N_EXPLOIT, ALVH_OUT_T_EXPLOIT,
    ALVH_OUT_N_STOP, ALVH_OUT_T_STOP,  /* condor stop-outs */
    ALVH_OUT_N_ROLL,                   /* condor time rolls + VIX rolls */
    ALVH_OUT_EXCESS,                   /* total minus what C would have earned in cash, USD */
    ALVH_OUT_MARGIN_PEAK,              /* largest perp margin account balance (cash tied up), USD */
    ALVH_OUT_LP_COSTS,                 /* lp: gas, MEV and pool fees of its own swaps, USD (in its P&L) */
    ALVH_OUT_N_LP_RECENTRE,            /* lp range re-centrings */
    ALVH_OUT_N_CLAIM_PAID,             /* cover: exploit claims paid */
    ALVH_OUT_N_CLAIM_DENIED,           /* cover: exploit claims denied */
    ALVH_OUT_N_IRR_DOWN,               /* irr rule: stake scaled down */
    ALVH_OUT_N_IRR_UP,                 /* irr rule: stake scaled back up */
    ALVH_OUT_N_GOV_DN,                 /* governance down-shocks (drawn and injected); set by the engine */
    ALVH_OUT_LR,                       /* likelihood ratio of the path (1 without importance sampling); engine */
    ALVH_OUT_N_RUNWAY_CUT,             /* runway rule: stake cuts decided */
    ALVH_OUT_RUNWAY_END,               /* treasury runway at the horizon, years (inf: no treasury); engine */
    ALVH_OUT_RUNWAY_MIN,               /* lowest runway over the steps, years; engine */
    ALVH_OUT_QUICK_END,                /* stables / a year's burn at the horizon (inf: no treasury); engine */
    ALVH_OUT_N_TREASURY_FB,            /* governance down-shocks triggered by the treasury feedback; engine */
    ALVH_OUT_FARM_COSTS,               /* on-chain costs (gas, MEV, pool fees) in the farm's P&L, USD */
    ALVH_OUT_BORROW_COSTS,             /* ... in the borrow layer's, USD */
    ALVH_OUT_PUTS_COSTS,               /* ... in the puts', USD */
    ALVH_OUT_CALLS_COSTS,              /* ... in the calls', USD */
    ALVH_OUT_COUNT
};
extern const char *const alvh_book_out_names[ALVH_OUT_COUNT];

/* Layer P&L of path i into out[0..ALVH_OUT_COUNT). */
void alvh_book_outcome(const alvh_book_state *s, size_t i, double *out);

#endif
