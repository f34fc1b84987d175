/*
 * Fault points for the crash tests: every step of a state, checkpoint or
 * result write that a crash could interrupt calls alvh_fault_point. When the
 * environment sets ALVH_FAULT_KILL_AT=N, the N-th point reached kills the
 * process with SIGKILL (the same as kill -9 at that instant), so a test can
 * kill a run at every such instant in turn (tests/test_crash_points.sh).
 * ALVH_FAULT_VERBOSE=1 lists every point reached on stderr. Unset (always,
 * outside tests): one integer compare per point.
 */
#ifndef ALVH_IO_FAULT_H
#define ALVH_IO_FAULT_H

void alvh_fault_point(const char *where);

#endif
