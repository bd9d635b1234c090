/* A non-Java process for the status command: two loopback connections, keepalive (idle 77 s) on
 * the first one's client end only; prints "ready" and holds them until killed (at most 120 s). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0 || bind(server, (struct sockaddr *)&addr, sizeof addr) || listen(server, 4)
            || getsockname(server, (struct sockaddr *)&addr, &len)) {
        perror("listen");
        return 1;
    }
    for (int i = 0; i < 2; i++) {
        int client = socket(AF_INET, SOCK_STREAM, 0);
        if (i == 0) {
            int on = 1, idle = 77;
            setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
            setsockopt(client, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
        }
        if (connect(client, (struct sockaddr *)&addr, sizeof addr) || accept(server, NULL, NULL) < 0) {
            perror("connect");
            return 1;
        }
    }
    printf("ready\n");
    fflush(stdout);
    sleep(120);
    return 0;
}
