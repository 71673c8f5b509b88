/*
 * output.h - what ticketctl's commands print alike.
 */
#ifndef TM_OUTPUT_H
#define TM_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

/* Unix time as "2026-03-02T10:00:00Z" into buf, or "-" for 0. */
void output_time(int64_t t, char *buf, size_t size);

#endif
