// SPDX-License-Identifier: BSD-2-Clause
/*
 * pftop_bpf - pftop for pfbpf: the state table and rules, live.
 *
 *	pftop_bpf [-abhr] [-d count] [-f filter] [-o order] [-s secs] [-v view] [lines]
 *
 * Interactive (ncurses) unless -b; the snapshot walks the pinned state
 * table in batches and keeps only the rows the screen shows
 * (user/top/snapshot.c), so a refresh over a million states costs one walk
 * and a few kilobytes, not a million-row list.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ncurses.h>

#include "pfbpf.h"
#include "lib/log.h"
#include "pfctl/kern.h"
#include "top/top.h"
#include "top/filter.h"
#include "top/view.h"

struct top_state {
	enum top_view view;
	enum top_order order;
	bool reverse, paused, all;
	double interval;
	int lines;            /* rows to show, 0 = the screen's */
	int count;            /* refreshes before exit, 0 = forever */
	char filter_text[256];
	struct top_filter *filter;
	const char *pin_dir;
	struct top_ctx *ctx;
	char msg[320];        /* last error or note, shown on the status line */
};

static volatile sig_atomic_t resized;

static void on_winch(int sig)
{
	(void)sig;
	resized = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: pftop_bpf [-abhr] [-d count] [-f filter] [-o order] [-s secs] "
		   "[-v view] [lines]\n"
		   "  -a  batch: every state (no line limit)     -b  batch mode (no screen)\n"
		   "  -d  refreshes before exiting                -r  reverse the order\n"
		   "  -f  filter, tcpdump-like ('src net 198.51.100.0/24 and port 22')\n"
		   "  -o  order: age bytes dest dport exp none peak pkt rate size sport src\n"
		   "  -s  seconds between refreshes (default 5)\n"
		   "  -v  view: default long state time size speed rules label\n");
}

static int set_filter(struct top_state *t, const char *text)
{
	char err[200];
	struct top_filter *f = NULL;

	if (*text) {
		f = top_filter_compile(text, err, sizeof(err));
		if (!f) {
			snprintf(t->msg, sizeof(t->msg), "filter: %s", err);
			return -1;
		}
	}
	top_filter_free(t->filter);
	t->filter = f;
	snprintf(t->filter_text, sizeof(t->filter_text), "%s", text);
	return 0;
}

/* ---- one refresh, as lines ------------------------------------------------ */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_add(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = strdup(s);
	if (l->v[l->n])
		l->n++;
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct rule_walk {
	struct top_state *t;
	struct lines *out;
	size_t shown, total, max;
};

static int rule_line(const char *anchor, size_t nr, const struct pfctl_rule *r, void *arg)
{
	struct rule_walk *w = arg;
	char buf[1024];

	w->total++;
	if (w->t->view == TOP_V_LABEL && !r->r.label[0])
		return 0;
	if (w->max && w->shown >= w->max)
		return 0;
	top_view_rule(w->t->view, r, anchor, nr, buf, sizeof(buf));
	lines_add(w->out, buf);
	w->shown++;
	return 0;
}

/* The status line and the rows of one refresh into out; rows limits the
 * rows (0: all). */
/* The status line's note of map entries that are no state (a written pin). */
static const char *corrupt_note(__u64 n, char *buf, size_t len)
{
	if (!n)
		return "";
	snprintf(buf, len, ", %llu corrupted entr%s not shown", (unsigned long long)n,
		 n == 1 ? "y" : "ies");
	return buf;
}

static int refresh_lines(struct top_state *t, size_t rows, struct lines *out, double *walk_ms)
{
	char buf[1024], head[1024];

	top_view_header(t->view, head, sizeof(head));
	if (top_view_is_rules(t->view)) {
		struct rule_walk w = { .t = t, .out = out, .max = rows };
		size_t status = out->n;
		int dev = pfctl_k_open(t->pin_dir, false), err;

		if (dev < 0) {
			snprintf(t->msg, sizeof(t->msg), "%s", pfctl_k_strerror(-1));
			return -1;
		}
		/* The status line counts the rules: written once the walk is done. */
		lines_add(out, "");
		lines_add(out, head);
		err = pfctl_k_walk_rules(dev, "", rule_line, &w);
		pfctl_k_close(dev);
		if (err) {
			snprintf(t->msg, sizeof(t->msg), "rules: %s", strerror(-err));
			return -1;
		}
		snprintf(buf, sizeof(buf), "pftop_bpf: Up Rule %d-%zu/%zu, View: %s", w.shown ? 1 : 0,
			 w.shown, w.total, top_view_name(t->view));
		if (status < out->n) {
			char *line = strdup(buf);

			if (line) {
				free(out->v[status]);
				out->v[status] = line;
			}
		}
		*walk_ms = 0;
		return 0;
	}
	{
		struct top_snapshot_opts o = {
			.order = t->order, .reverse = t->reverse, .max_rows = rows, .filter = t->filter,
		};
		struct top_snapshot s;
		char note[64];
		int err = top_snapshot(t->ctx, &o, &s);

		if (err) {
			snprintf(t->msg, sizeof(t->msg), "states: %s", strerror(-err));
			return -1;
		}
		snprintf(buf, sizeof(buf),
			 "pftop_bpf: Up State %zu-%zu/%llu, View: %s, Order: %s%s%s%s%s%s",
			 s.n ? (size_t)1 : 0, s.n, (unsigned long long)s.matched, top_view_name(t->view),
			 top_order_name(t->order), t->reverse ? " (reversed)" : "",
			 t->filter ? ", Filter: " : "", t->filter ? t->filter_text : "",
			 t->paused ? ", PAUSED" : "", corrupt_note(s.corrupt, note, sizeof(note)));
		lines_add(out, buf);
		lines_add(out, head);
		for (size_t i = 0; i < s.n; i++) {
			top_view_state(t->view, &s.rows[i], buf, sizeof(buf));
			lines_add(out, buf);
		}
		*walk_ms = s.elapsed * 1000;
		top_snapshot_free(&s);
	}
	return 0;
}

/* ---- batch mode --------------------------------------------------------------- */

static int run_batch(struct top_state *t)
{
	for (int i = 0; !t->count || i < t->count; i++) {
		struct lines l = { 0 };
		double ms;

		if (i)
			usleep((useconds_t)(t->interval * 1e6));
		if (refresh_lines(t, t->all ? 0 : (size_t)(t->lines ? t->lines : 25), &l, &ms)) {
			pr_warn("%s", t->msg);
			lines_free(&l);
			return 1;
		}
		for (size_t j = 0; j < l.n; j++)
			puts(l.v[j]);
		if (!t->count || i + 1 < t->count)
			putchar('\n');
		fflush(stdout);
		lines_free(&l);
	}
	return 0;
}

/* ---- the screen ----------------------------------------------------------------- */

static void prompt(const char *what, char *buf, size_t len)
{
	echo();
	curs_set(1);
	nodelay(stdscr, FALSE);
	mvprintw(LINES - 1, 0, "%s", what);
	clrtoeol();
	getnstr(buf, (int)len - 1);
	noecho();
	curs_set(0);
}

static void help_screen(void)
{
	static const char *const text[] = {
		"pftop_bpf keys:",
		"  v        next view             0-7   view: default long state time size speed rules label",
		"  o        next sort order       r     reverse the order",
		"  p        pause / resume        space refresh now",
		"  s        seconds between refreshes",
		"  n        number of lines (0: the screen's)",
		"  f        filter, tcpdump-like: src net 198.51.100.0/24 and port 22 (empty: none)",
		"  h        this help             q     quit",
		"",
		"any key to go back",
	};

	erase();
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		mvprintw((int)i, 0, "%s", text[i]);
	refresh();
	nodelay(stdscr, FALSE);
	getch();
}

static void draw(struct top_state *t)
{
	struct lines l = { 0 };
	int rows = LINES - 3; /* status, header, the message line */
	double ms = 0;

	if (t->lines > 0 && t->lines < rows)
		rows = t->lines;
	if (rows < 1)
		rows = 1;
	erase();
	if (refresh_lines(t, (size_t)rows, &l, &ms) == 0) {
		for (size_t i = 0; i < l.n && (int)i < LINES - 1; i++) {
			if (i == 1)
				attron(A_BOLD);
			mvaddnstr((int)i, 0, l.v[i], COLS);
			if (i == 1)
				attroff(A_BOLD);
		}
		if (!top_view_is_rules(t->view))
			mvprintw(0, COLS > 24 ? COLS - 24 : 0, "walk %7.1f ms  %4.1fs", ms, t->interval);
	}
	if (t->msg[0]) {
		attron(A_REVERSE);
		mvaddnstr(LINES - 1, 0, t->msg, COLS);
		attroff(A_REVERSE);
	}
	refresh();
	lines_free(&l);
}

static int run_screen(struct top_state *t)
{
	int n = 0;

	if (!initscr()) {
		pr_warn("cannot start the screen (TERM=%s); use -b for batch mode",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	cbreak();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	signal(SIGWINCH, on_winch);
	for (;;) {
		char buf[256];
		int ch;

		if (!t->paused || n == 0)
			draw(t);
		n++;
		if (t->count && n >= t->count)
			break;
		timeout((int)(t->interval * 1000));
		ch = getch();
		if (resized) {
			resized = 0;
			endwin();
			refresh();
		}
		if (ch == ERR)
			continue;
		t->msg[0] = '\0';
		switch (ch) {
		case 'q':
			endwin();
			return 0;
		case 'v':
			t->view = (t->view + 1) % TOP_V_MAX;
			break;
		case 'o':
			t->order = (t->order + 1) % TOP_O_MAX;
			break;
		case 'r':
			t->reverse = !t->reverse;
			break;
		case 'p':
			t->paused = !t->paused;
			draw(t);
			break;
		case 's':
			prompt("seconds between refreshes: ", buf, sizeof(buf));
			if (atof(buf) >= 0.1)
				t->interval = atof(buf);
			else
				snprintf(t->msg, sizeof(t->msg), "interval: '%s' is not 0.1 or more", buf);
			break;
		case 'n':
			prompt("lines (0: the screen's): ", buf, sizeof(buf));
			t->lines = atoi(buf) > 0 ? atoi(buf) : 0;
			break;
		case 'f':
			prompt("filter: ", buf, sizeof(buf));
			set_filter(t, buf);
			break;
		case 'h':
		case '?':
			help_screen();
			break;
		case ' ':
			break;
		default:
			if (ch >= '0' && ch < '0' + TOP_V_MAX)
				t->view = (enum top_view)(ch - '0');
		}
		if (t->paused)
			draw(t);
	}
	endwin();
	return 0;
}

int main(int argc, char **argv)
{
	struct top_state t = { .interval = 5 };
	bool batch = false;
	int c, err, rc;

	pfbpf_log_init("pftop_bpf", 0);
	while ((c = getopt(argc, argv, "abd:f:ho:rs:v:w:")) != -1) {
		switch (c) {
		case 'a':
			t.all = true;
			batch = true;
			break;
		case 'b':
			batch = true;
			break;
		case 'd':
			t.count = atoi(optarg);
			if (t.count <= 0) {
				pr_warn("-d: '%s' is not a positive count", optarg);
				return 2;
			}
			break;
		case 'f':
			if (set_filter(&t, optarg)) {
				pr_warn("-f '%s': %s", optarg, t.msg + strlen("filter: "));
				return 2;
			}
			break;
		case 'o':
			if (top_order_lookup(optarg) < 0) {
				pr_warn("-o: unknown order '%s' (age bytes dest dport exp none peak pkt "
					"rate size sport src)", optarg);
				return 2;
			}
			t.order = (enum top_order)top_order_lookup(optarg);
			break;
		case 'r':
			t.reverse = true;
			break;
		case 's':
			t.interval = atof(optarg);
			if (t.interval < 0.1) {
				pr_warn("-s: '%s' is not 0.1 seconds or more", optarg);
				return 2;
			}
			break;
		case 'v':
			if (top_view_lookup(optarg) < 0) {
				pr_warn("-v: unknown view '%s' (default long state time size speed rules "
					"label)", optarg);
				return 2;
			}
			t.view = (enum top_view)top_view_lookup(optarg);
			break;
		case 'w':
			break; /* pftop's width: the screen's here, batch lines are whole */
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		char *end;
		long n = strtol(argv[optind], &end, 10);

		if (*end || n <= 0 || optind + 1 < argc) {
			usage(stderr);
			return 2;
		}
		t.lines = (int)n;
	}
	t.pin_dir = getenv("PFBPF_PIN_DIR");
	t.ctx = top_open(t.pin_dir, &err);
	if (!t.ctx) {
		pr_warn("%s", top_strerror(err, t.pin_dir));
		return 1;
	}
	rc = batch ? run_batch(&t) : run_screen(&t);
	top_close(t.ctx);
	top_filter_free(t.filter);
	return rc;
}
