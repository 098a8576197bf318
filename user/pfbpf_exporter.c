// SPDX-License-Identifier: BSD-2-Clause
/*
 * pfbpf-exporter - pf's counters for Prometheus, over HTTP.
 *
 *	pfbpf-exporter [-v] [-l ADDR:PORT] [-p PIN_DIR] [--once]
 *
 * Serves GET /metrics on 127.0.0.1:9107 by default (pf_exporter's port).
 * Every scrape opens the pinned datapath read-only, reads it and closes
 * it again, so the exporter survives the datapath being reloaded or not
 * loaded yet (pf_up 0 then).  libmicrohttpd runs one internal polling
 * thread, so scrapes never run concurrently with each other.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>

#include "pfbpf.h"
#include "lib/log.h"
#include "exporter/collect.h"

#define DEFAULT_LISTEN "127.0.0.1:9107"

static const char *pin_dir;
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pfbpf-exporter [-v] [-l ADDR:PORT] [-p PIN_DIR] [--once]\n"
		"  -l, --listen ADDR:PORT  where to serve /metrics (default " DEFAULT_LISTEN
		"; [ADDR6]:PORT for IPv6)\n"
		"  -p, --pin-dir DIR       the datapath's pin folder (default $PFBPF_PIN_DIR or "
		"the loader's)\n"
		"      --once              print one scrape to standard output and exit\n"
		"  -v                      log every scrape failure, not only changes\n");
}

/* "198.51.100.1:9107" or "[2001:db8::1]:9107" into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	size_t hl;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 1 || port > 65535)
		return -1;
	if (*s == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return -1;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return -1;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		*len = sizeof(*a4);
	}
	return 0;
}

/* One scrape into a malloc'ed buffer; a failure is logged when its reason
 * changes (or always with -v), so a datapath that stays down does not fill
 * the journal with one line per scrape. */
static char *scrape(size_t *len)
{
	static char last_why[256];
	const char *why;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	if (pfx_collect(f, pin_dir, &why)) {
		if (pfbpf_log_verbosity() > 0 || strcmp(last_why, why))
			pr_warn("cannot read pf: %s", why);
		snprintf(last_why, sizeof(last_why), "%s", why);
	} else {
		last_why[0] = '\0';
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	static char index_page[] =
		"<html><head><title>pfbpf exporter</title></head><body>"
		"<h1>pfbpf exporter</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";
	static char not_found[] = "not found: try /metrics\n";
	static char bad_method[] = "only GET and HEAD\n";
	size_t len;
	char *body;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
			     strlen(bad_method), MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html", index_page, strlen(index_page),
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, strlen(not_found),
			     MHD_RESPMEM_PERSISTENT);
	body = scrape(&len);
	if (!body)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len,
		     MHD_RESPMEM_MUST_FREE);
}

/* Before listening: a caller who cannot read the datapath at all (not
 * root) gets one line now, not pf_up 0 forever.  A datapath that is just
 * not loaded yet is fine: a service may start before the firewall. */
static int check_access(void)
{
	int dev = pfbpf_open(pin_dir, O_RDONLY);

	if (dev >= 0) {
		pfbpf_close(dev);
		return 0;
	}
	if (errno == EPERM || errno == EACCES) {
		pr_warn("cannot read pf: %s", pfbpf_strerror(-1));
		return -1;
	}
	pr_warn("pf is not readable yet (%s); serving pf_up 0 until it is",
		pfbpf_strerror(-1));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_at = DEFAULT_LISTEN;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	socklen_t sslen;
	int once = 0, verbose = 0, c;

	while ((c = getopt_long(argc, argv, "l:p:hv", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_at = optarg;
			break;
		case 'p':
			pin_dir = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	pfbpf_log_init("pfbpf-exporter", verbose);

	if (once) {
		size_t len;
		char *body = scrape(&len);
		int up = body && strstr(body, "\npf_up 1\n");

		if (body)
			fwrite(body, 1, len, stdout);
		free(body);
		return up ? 0 : 1;
	}
	if (parse_listen(listen_at, &ss, &sslen)) {
		pr_warn("bad listen address '%s': want ADDR:PORT or [ADDR6]:PORT", listen_at);
		return 2;
	}
	if (check_access())
		return 1;

	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | (ss.ss_family == AF_INET6 ?
								MHD_USE_IPv6 : 0),
			     0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &ss,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (!d) {
		pr_warn("cannot listen on %s: %s", listen_at,
			errno ? strerror(errno) : "libmicrohttpd refused the address");
		return 1;
	}
	pr_info("serving /metrics on %s", listen_at);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
