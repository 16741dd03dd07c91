/*
 * customer.h - sem/wait is a customer at the restaurant's door (see
 * wait.c); these are the steps around its P and V, which wait.c shows:
 * the line at the door (who waits before us, the -t limit, giving up) and
 * the stay in the seat (holding it, the "enter" and "leave" stamps).
 * wait.c keeps the lesson - P, V, the seat given back on the way out - and
 * calls each of these from one line.  Only sem/wait uses them.
 *
 * Time is counted in nanoseconds on the monotonic clock, which never
 * jumps, as the date can when someone sets it.
 */
#ifndef CUSTOMER_H
#define CUSTOMER_H

#include <stdnoreturn.h>
#include <time.h>

int parse_seconds(const char *what, const char *s, long long *ns);
long long deadline_in(long long ns);
struct timespec *time_left(long long deadline, struct timespec *left);
void in_line(int semid);
noreturn void give_up(int semid, const char *seconds);
void stamp(const char *what);
void hold_seat(int semid, long seconds);

#endif
