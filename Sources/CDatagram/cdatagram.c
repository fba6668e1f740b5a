#define _GNU_SOURCE
#include <stddef.h>
#include <sys/socket.h>
#include "cdatagram.h"

// The layout must be glibc's struct mmsghdr, which the calls below are handed.
_Static_assert(sizeof(cdatagram_message) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(cdatagram_message, length) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");

int cdatagram_receive(int fd, cdatagram_message *messages, unsigned int count) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, MSG_WAITFORONE, NULL);
}

int cdatagram_send(int fd, cdatagram_message *messages, unsigned int count) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, 0);
}
