/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * real.c - the libc definitions behind the intercepted calls, found with
 * dlsym(RTLD_NEXT). Every call the shim does not serve goes to them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include "pl.h"

struct pl_real pl_real;

#define RESOLVE(fn) (*(void **)&r.fn = dlsym(RTLD_NEXT, #fn))

void pl_real_init(void)
{
	struct pl_real r;
	if (pl_real.socket && pl_real.dup3)
		return;
	RESOLVE(socket);
	RESOLVE(bind);
	RESOLVE(listen);
	RESOLVE(accept);
	RESOLVE(accept4);
	RESOLVE(connect);
	RESOLVE(read);
	RESOLVE(write);
	RESOLVE(readv);
	RESOLVE(writev);
	RESOLVE(recv);
	RESOLVE(recvfrom);
	RESOLVE(recvmsg);
	RESOLVE(send);
	RESOLVE(sendto);
	RESOLVE(sendmsg);
	RESOLVE(sendfile);
	RESOLVE(close);
	RESOLVE(shutdown);
	RESOLVE(getsockopt);
	RESOLVE(setsockopt);
	RESOLVE(getsockname);
	RESOLVE(getpeername);
	RESOLVE(fcntl);
	RESOLVE(ioctl);
	RESOLVE(poll);
	RESOLVE(ppoll);
	RESOLVE(select);
	RESOLVE(pselect);
	RESOLVE(epoll_create);
	RESOLVE(epoll_create1);
	RESOLVE(epoll_ctl);
	RESOLVE(epoll_wait);
	RESOLVE(epoll_pwait);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(recvmmsg);
	RESOLVE(sendmmsg);
	RESOLVE(fork);
	RESOLVE(epoll_pwait2);
	/* a libc without one of these cannot run the program either */
	if (!r.socket || !r.read || !r.close || !r.poll || !r.dup3)
		abort();
	pl_real = r;
}
