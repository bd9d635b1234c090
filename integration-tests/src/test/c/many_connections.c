/* Holds N loopback connections so that the network namespace's TCP table is large (2 x N rows)
 * while another process has few sockets. The server ends are in this process, the client ends in a
 * child (each process may hold at most RLIMIT_NOFILE descriptors); sources spread over 127.0.1.x
 * so that no port range runs out. Prints "ready N" and holds them until stdin ends or 300 s pass;
 * the child dies with its parent, and the kernel closes every connection.
 * Usage: many_connections N */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static void hold(void) {
    fd_set in;
    FD_ZERO(&in);
    FD_SET(0, &in);
    struct timeval deadline = {.tv_sec = 300};
    select(1, &in, NULL, NULL, &deadline); /* stdin readable (input or its end) or 300 s */
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 19000;
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) || limit.rlim_cur < (rlim_t)n + 16) {
        fprintf(stderr, "RLIMIT_NOFILE %ld is below %d\n", (long)limit.rlim_cur, n + 16);
        return 1;
    }
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) || listen(server, 1024)
            || getsockname(server, (struct sockaddr *)&addr, &len)) {
        perror("listen");
        return 1;
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        return 1;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(server);
        for (int i = 0; i < n; i++) {
            int client = socket(AF_INET, SOCK_STREAM, 0);
            int on = 1;
            struct sockaddr_in source = {.sin_family = AF_INET,
                .sin_addr.s_addr = htonl(0x7f000100 + 1 + i / 10000)}; /* 127.0.1.1, 127.0.1.2, ... */
            struct linger reset = {.l_onoff = 1, .l_linger = 0}; /* closed with RST: no TIME_WAIT left behind */
            setsockopt(client, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
            setsockopt(client, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
            if (client < 0 || bind(client, (struct sockaddr *)&source, sizeof source)
                    || connect(client, (struct sockaddr *)&addr, sizeof addr)) {
                perror("connect");
                return 1;
            }
        }
        hold();
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (accept(server, NULL, NULL) < 0) {
            perror("accept");
            kill(child, SIGKILL);
            return 1;
        }
    }
    printf("ready %d\n", n);
    fflush(stdout);
    hold();
    kill(child, SIGKILL);
    return 0;
}
