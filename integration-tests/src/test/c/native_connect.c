/*
 * A TCP connection made in C, for NativeConnectApp (integration-tests, it/thirdparty/apps): the
 * Java agent's hooks never see this socket(), so only its scan of the process's own descriptors
 * can find it. Compiled by NativeConnectScanTest with gcc -shared -fPIC.
 */
#include <jni.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

JNIEXPORT jint JNICALL
Java_io_github_keepaliveagent_it_thirdparty_apps_NativeConnectApp_connect0(JNIEnv *env, jclass cls, jint port)
{
    (void) env;
    (void) cls;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -errno;
    }
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short) port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    return fd;
}

JNIEXPORT void JNICALL
Java_io_github_keepaliveagent_it_thirdparty_apps_NativeConnectApp_close0(JNIEnv *env, jclass cls, jint fd)
{
    (void) env;
    (void) cls;
    close(fd);
}
