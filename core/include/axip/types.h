/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * axip/types.h - fixed-width types, error codes and small helpers.
 *
 * The core includes no system header, so it defines its own integer types.
 * They assume what every supported target (ILP32, LP64, LLP64) provides:
 * char = 8 bits, short = 16, int = 32, long long = 64 bits; a compile-time
 * check below rejects anything else.
 */
#ifndef AXIP_TYPES_H
#define AXIP_TYPES_H

typedef unsigned char axip_u8;
typedef unsigned short axip_u16;
typedef unsigned int axip_u32;
typedef unsigned long long axip_u64;
typedef signed int axip_i32;
typedef signed long long axip_i64;
/* Sizes of memory blocks handed to the core. unsigned long is pointer-sized on
 * ILP32 and LP64; on LLP64 it is 32 bits, which still bounds an instance. */
typedef unsigned long axip_size;

#define AXIP_NULL ((void *)0)

/* Compile-time assertion usable at file scope in C89/C99. */
#define AXIP_STATIC_ASSERT(name, cond) typedef char axip_static_assert_##name[(cond) ? 1 : -1]

AXIP_STATIC_ASSERT(u8_is_1_byte, sizeof(axip_u8) == 1);
AXIP_STATIC_ASSERT(u16_is_2_bytes, sizeof(axip_u16) == 2);
AXIP_STATIC_ASSERT(u32_is_4_bytes, sizeof(axip_u32) == 4);
AXIP_STATIC_ASSERT(u64_is_8_bytes, sizeof(axip_u64) == 8);
AXIP_STATIC_ASSERT(size_holds_pointer, sizeof(axip_size) >= 4);

/*
 * Error codes. Every function that can fail returns AXIP_OK (0) or one of
 * these negative values; axip_strerror() names them.
 */
enum axip_err {
	AXIP_OK = 0,
	AXIP_E_INVAL = -1,       /* an argument or configuration value is invalid */
	AXIP_E_NOMEM = -2,       /* a core pool (packets, sockets, connections) is full */
	AXIP_E_NOBUFS = -3,      /* the environment had no packet buffer to give */
	AXIP_E_ADDRINUSE = -4,   /* port or 4-tuple already bound */
	AXIP_E_NOTCONN = -5,     /* the connection is not (yet) established */
	AXIP_E_AGAIN = -6,       /* no room now (send buffer full); retry after a callback */
	AXIP_E_MSGSIZE = -7,     /* message too large for the path or the buffers */
	AXIP_E_UNREACH = -8,     /* no route, or the neighbour did not answer ARP */
	AXIP_E_CLOSED = -9,      /* the socket or connection is closed / shut down for send */
	AXIP_E_STATE = -10,      /* the operation is not valid in the current state */
	AXIP_E_TIMEDOUT = -11,   /* retransmissions or keepalives exhausted */
	AXIP_E_RESET = -12,      /* the peer reset the connection */
	AXIP_E_REFUSED = -13,    /* the peer refused the connection (RST to our SYN) */
	AXIP_E_PORTS = -14,      /* no ephemeral port free */
	AXIP_E_ALIGN = -15,      /* memory block not aligned to AXIP_MEM_ALIGN */
	AXIP_E_TOOSMALL = -16,   /* memory block smaller than axip_mem_size() said */
	AXIP_E_NOTFOUND = -17,   /* no such entry */
	AXIP_E_ABORTED = -18     /* the local application aborted the connection */
};

/* Human-readable name of an error code (static string, never NULL). */
const char *axip_strerror(int err);

/* Version of the library, "MAJOR.MINOR.PATCH" (static string): the same as
 * AXIP_VERSION in <axip/version.h> when headers and library match. */
const char *axip_version(void);

/* IPv4 addresses in the API are host-order 32-bit numbers: 10.0.0.1 is
 * AXIP_IP4(10, 0, 0, 1). Conversion to wire order happens only in core/src/wire.h. */
#define AXIP_IP4(a, b, c, d) \
	(((axip_u32)(a) << 24) | ((axip_u32)(b) << 16) | ((axip_u32)(c) << 8) | (axip_u32)(d))

/* Time is monotonic nanoseconds, supplied by the caller. */
typedef axip_u64 axip_time_ns;
#define AXIP_MS(x) ((axip_time_ns)(x) * 1000000ULL)
#define AXIP_SEC(x) ((axip_time_ns)(x) * 1000000000ULL)

#endif
