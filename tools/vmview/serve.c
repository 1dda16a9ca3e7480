// SPDX-License-Identifier: GPL-2.0
/*
 * vmview serve --listen ADDR: the exporter (export.c) on HTTP, /metrics.
 *
 * A small single-threaded HTTP/1.1 server on a socket: one connection at a
 * time (so one scrape at a time, and never two walks of one process by
 * this exporter), GET and HEAD only, a request of at most 8 KiB read within
 * 5 s, the answer written within 10 s, then the connection is closed.  The
 * Accept header chooses OpenMetrics or the text format as Prometheus
 * negotiates it.  Debian's libmicrohttpd would do, but it is built with
 * GnuTLS, which vmview's static link (it runs in a busybox guest) cannot
 * take: p11-kit ships no static library.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vmview.h"

#define REQ_MAX		8192
#define READ_MS		5000
#define WRITE_MS	10000

static const char *listen_addr;

static void serve_help(FILE *f)
{
	fprintf(f,
		"Usage: %s serve [--listen ADDR] [OPTIONS]\n"
		"\n"
		"Serve 'vmview export' on HTTP: GET /metrics collects and answers in the\n"
		"text exposition format, or OpenMetrics when the Accept header asks for it\n"
		"(Prometheus does).  One connection at a time.  SIGTERM or SIGINT stops it.\n"
		"\n"
		"  -a, --listen ADDR      PORT, :PORT, IPV4:PORT or [IPV6]:PORT (default\n"
		"                         :9417, every address)\n"
		"%s"
		"\n"
		"See vmview(8), METRICS.\n",
		vmv_bin_name, vmv_exporter_opts_help);
}

static int serve_opt(int opt, const char *arg)
{
	if (opt == 'a') {
		listen_addr = arg;
		return 0;
	}
	return vmv_exporter_opt(opt, arg);
}

/* ADDR into a socket address; false (and a usage error) if not one. */
static bool parse_addr(const char *addr, struct sockaddr_storage *ss,
		       socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	char host[128] = "", *end;
	const char *port = addr, *colon = strrchr(addr, ':');
	long p;

	memset(ss, 0, sizeof(*ss));
	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - addr - 1) >= sizeof(host))
			goto bad;
		memcpy(host, addr + 1, rb - addr - 1);
		host[rb - addr - 1] = '\0';
		port = rb + 2;
	} else if (colon) {
		if ((size_t)(colon - addr) >= sizeof(host))
			goto bad;
		memcpy(host, addr, colon - addr);
		host[colon - addr] = '\0';
		port = colon + 1;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || end == port || p < 0 || p > 65535)
		goto bad;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (!host[0]) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons(p);
		*len = sizeof(*s6);
		return true;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		*len = sizeof(*s4);
		return true;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		*len = sizeof(*s6);
		return true;
	}
bad:
	vmv_usage("--listen takes PORT, :PORT, IPV4:PORT or [IPV6]:PORT, not '%s'",
		  addr);
	return false;
}

static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd, one = 1, zero = 0, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 && ss->ss_family == AF_INET6 && errno == EAFNOSUPPORT) {
		/* no IPv6: every IPv4 address instead */
		struct sockaddr_in s4 = {
			.sin_family = AF_INET,
			.sin_port = ((const struct sockaddr_in6 *)ss)->sin6_port,
			.sin_addr.s_addr = htonl(INADDR_ANY),
		};

		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&s4, sizeof(s4)) ||
		    listen(fd, 16))
			goto fail;
		return fd;
	}
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (const struct sockaddr *)ss, len) || listen(fd, 16))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Wait for fd to be ready for events within what is left of ms. */
static bool wait_fd(int fd, short events, const struct timespec *t0, long ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	long left = ms - ms_since(t0);

	if (left <= 0)
		return false;
	return poll(&pfd, 1, left) == 1 && !vmv_exporter_stopped();
}

/* The request head (up to the empty line) into buf; false on timeout. */
static bool read_request(int fd, char *buf, size_t cap)
{
	struct timespec t0;
	size_t n = 0;
	ssize_t r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n + 1 < cap) {
		if (!wait_fd(fd, POLLIN, &t0, READ_MS))
			return false;
		r = recv(fd, buf + n, cap - 1 - n, MSG_DONTWAIT);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return false;
		/* a NUL: not HTTP; the caller finds the request line bad */
		if (memchr(buf + n, '\0', r))
			return true;
		n += r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return true;
	}
	return false;	/* too long */
}

static void write_all(int fd, const char *buf, size_t len)
{
	struct timespec t0;
	size_t off = 0;
	ssize_t w;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (off < len) {
		if (!wait_fd(fd, POLLOUT, &t0, WRITE_MS))
			return;
		w = send(fd, buf + off, len - off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return;
		off += w;
	}
}

static void respond(int fd, int code, const char *reason, const char *type,
		    const char *extra, const char *body, size_t len, bool head)
{
	char hdr[512];
	int n;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
		     code, reason, type, len, extra ? extra : "");
	write_all(fd, hdr, n);
	if (!head)
		write_all(fd, body, len);
}

/* The value of header name (lower case, with ':') in the head, or NULL. */
static const char *header(const char *req, const char *name, char *val,
			  size_t cap)
{
	const char *p = strchr(req, '\n'), *e;
	size_t nl = strlen(name), len;

	while (p && *++p) {
		if (*p == '\r' || *p == '\n')
			break;
		if (!strncasecmp(p, name, nl)) {
			p += nl;
			while (*p == ' ' || *p == '\t')
				p++;
			e = strpbrk(p, "\r\n");
			len = e ? (size_t)(e - p) : strlen(p);
			if (len >= cap)
				len = cap - 1;
			memcpy(val, p, len);
			val[len] = '\0';
			return val;
		}
		p = strchr(p, '\n');
	}
	return NULL;
}

static void handle(int fd, struct vmv_exporter *x)
{
	static const char text[] = "text/plain; charset=utf-8";
	char req[REQ_MAX], method[16], target[1024], version[16];
	char accept[1024], *body;
	enum vmv_xfmt fmt = VMV_XFMT_TEXT;
	bool head;
	size_t len, plen;
	int err;

	if (!read_request(fd, req, sizeof(req))) {
		respond(fd, 408, "Request Timeout", text, NULL,
			"request timeout or too long\n", 28, false);
		return;
	}
	if (sscanf(req, "%15s %1023s %15s", method, target, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7)) {
		respond(fd, 400, "Bad Request", text, NULL, "bad request\n", 12,
			false);
		return;
	}
	if (vmv_verbose)
		fprintf(stderr, "%s: %s %s\n", vmv_bin_name, method, target);
	head = !strcmp(method, "HEAD");
	if (!head && strcmp(method, "GET")) {
		respond(fd, 405, "Method Not Allowed", text,
			"Allow: GET, HEAD\r\n", "GET or HEAD only\n", 17, false);
		return;
	}
	plen = strcspn(target, "?");
	if (plen == 1 && target[0] == '/') {
		static const char idx[] =
			"vminspect exporter (vmview serve): metrics at /metrics\n";

		respond(fd, 200, "OK", text, NULL, idx, sizeof(idx) - 1, head);
		return;
	}
	if (plen != 8 || strncmp(target, "/metrics", 8)) {
		respond(fd, 404, "Not Found", text, NULL, "not found: try /metrics\n",
			24, head);
		return;
	}
	if (header(req, "accept:", accept, sizeof(accept)) &&
	    strstr(accept, "application/openmetrics-text"))
		fmt = VMV_XFMT_OPENMETRICS;
	err = vmv_exporter_scrape(x, fmt, &body, &len);
	if (err) {
		char msg[128];
		int n = snprintf(msg, sizeof(msg), "collecting metrics: %s\n",
				 strerror(-err));

		vmv_err("collecting metrics: %s", strerror(-err));
		respond(fd, 500, "Internal Server Error", text, NULL, msg, n,
			head);
		return;
	}
	respond(fd, 200, "OK", vmv_xfmt_content_type[fmt], NULL, body, len,
		head);
	free(body);
}

int vmv_do_serve(int argc, char **argv)
{
	struct option opts[ARRAY_SIZE(vmv_exporter_longopts) + 1];
	struct sockaddr_storage ss;
	struct vmv_exporter *x;
	sigset_t block, orig;
	char shortopts[64];
	socklen_t slen;
	int ret, lfd;

	opts[0] = (struct option){ "listen", required_argument, NULL, 'a' };
	memcpy(&opts[1], vmv_exporter_longopts, sizeof(vmv_exporter_longopts));
	snprintf(shortopts, sizeof(shortopts), "a:%s", vmv_exporter_shortopts);
	listen_addr = ":9417";
	ret = vmv_parse_opts(argc, argv, shortopts, opts, serve_help,
			     serve_opt);
	if (ret < 0)
		ret = vmv_no_more(argc, argv);
	if (ret >= 0)
		return ret;
	if (!parse_addr(listen_addr, &ss, &slen))
		return VMV_EXIT_USAGE;
	lfd = listen_on(&ss, slen);
	if (lfd < 0) {
		vmv_err("cannot listen on %s: %s", listen_addr, strerror(-lfd));
		return VMV_EXIT_ERR;
	}
	x = vmv_exporter_new();
	if (!x) {
		close(lfd);
		vmv_err("out of memory");
		return VMV_EXIT_ERR;
	}
	vmv_exporter_signals();
	if (vmv_verbose)
		fprintf(stderr, "%s: serving /metrics on %s\n", vmv_bin_name,
			listen_addr);
	/*
	 * SIGINT and SIGTERM are blocked but while ppoll() waits, so that one
	 * arriving between the look at the flag and the wait cannot be lost
	 * (it was: a SIGTERM there left serve waiting for a connection).
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	while (!vmv_exporter_stopped()) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };
		int cfd;

		if (ppoll(&pfd, 1, NULL, &orig) != 1)
			continue;	/* EINTR: a signal, look at the flag */
		cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		handle(cfd, x);
		shutdown(cfd, SHUT_WR);
		close(cfd);
	}
	sigprocmask(SIG_SETMASK, &orig, NULL);
	vmv_exporter_free(x);
	close(lfd);
	return VMV_EXIT_OK;
}
