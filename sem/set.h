/*
 * set.h - a semaphore set of our kind, made without a race or joined
 * after its shape is checked (set.c).  For sem/ and shm/ alike.
 */
#ifndef SET_H
#define SET_H

int open_set(int nsems, const unsigned short *init, int marked,
    int *created);
const char *set_owner(unsigned long nsems);
unsigned long set_size(int id);

#endif
