/* The ring buffer of Java stack records (java_stack_records.h) a collector with Java frames reads. */
#ifndef KFR_JAVA_STACK_RING_H
#define KFR_JAVA_STACK_RING_H

#include "common/ring_reader.h"

/* A reader of the Java stack ring map_fd; reads return bytes of whole records, back to back. */
struct kfr_ring *kfr_java_stack_ring(int map_fd, const char *what);

#endif
