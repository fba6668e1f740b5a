// recvmmsg/sendmmsg and their struct, which glibc declares only under _GNU_SOURCE (so Swift's
// Glibc module does not see them): the UDP workers of the redirector's DNS server use them.
#ifndef CDATAGRAM_H
#define CDATAGRAM_H
#include <sys/socket.h>
#include <netinet/in.h>
#include <time.h>

typedef struct cdatagram_message {
    struct msghdr header;
    unsigned int length;
} cdatagram_message;

/// recvmmsg(2) with MSG_WAITFORONE: blocks for the first datagram, then takes what is queued.
int cdatagram_receive(int fd, cdatagram_message *messages, unsigned int count);
/// sendmmsg(2).
int cdatagram_send(int fd, cdatagram_message *messages, unsigned int count);
#endif
