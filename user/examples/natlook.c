/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * natlook.c - the DIOCNATLOOK example of pf(4)'s /dev/pf ioctl manual
 * (the DIOCNATLOOK section), kept as it is there: only the open() and ioctl_socket()
 * lines became pfbpf_open() and pfbpf_ioctl().  It builds against include/
 * (<net/pfvar.h> is libpfbpf's compatibility header).  read_address()
 * shifts a signed int as the manual does, which -fsanitize=undefined
 * reports for addresses from 128.0.0.0 on; it is the manual's code, kept.
 *
 *	PFBPF_PIN_DIR=... natlook <gwy addr> <gwy port> <ext addr> <ext port>
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <net/pfvar.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

u_int32_t
read_address(const char *s)
{
        int a, b, c, d;

        sscanf(s, "%i.%i.%i.%i", &a, &b, &c, &d);
        return htonl(a << 24 | b << 16 | c << 8 | d);
}

void
print_address(u_int32_t a)
{
        a = ntohl(a);
        printf("%d.%d.%d.%d", a >> 24 & 255, a >> 16 & 255,
            a >> 8 & 255, a & 255);
}

int
main(int argc, char *argv[])
{
        struct pfioc_natlook nl;
        int dev;

        if (argc != 5) {
           printf("%s <gwy addr> <gwy port> <ext addr> <ext port>\n",
                  argv[0]);
           return 1;
        }

        dev = pfbpf_open("/dev/pf", O_RDWR);
        if (dev == -1)
                err(1, "open(\"/dev/pf\") failed");

        memset(&nl, 0, sizeof(struct pfioc_natlook));
        nl.saddr.v4.s_addr      = read_address(argv[1]);
        nl.sport                = htons(atoi(argv[2]));
        nl.daddr.v4.s_addr      = read_address(argv[3]);
        nl.dport                = htons(atoi(argv[4]));
        nl.af                   = AF_INET;
        nl.proto                = IPPROTO_TCP;
        nl.direction            = PF_IN;

        if (pfbpf_ioctl(dev, DIOCNATLOOK, &nl))
                err(1, "DIOCNATLOOK");

        printf("internal host ");
        print_address(nl.rsaddr.v4.s_addr);
        printf(":%u\n", ntohs(nl.rsport));
        return 0;
}
