// Test harness for the send path: runs a body in a forked child that owns
// two private network namespaces joined by a veth pair, so every frame sent
// stays inside them and nothing outlives the child.
//   nsA: pmtx0 10.77.0.1/24, route 198.18.0.0/15 via 10.77.0.2 (the sender side)
//   nsB: pmtx1 10.77.0.2/24 (answers ARP; the capture side)
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>

namespace pathmap::testing {

struct VethPair {
    int ns_a = -1, ns_b = -1; // namespace fds
    void enter_a() const
    {
        if (setns(ns_a, CLONE_NEWNET) != 0) throw std::runtime_error("setns A failed");
    }
    void enter_b() const
    {
        if (setns(ns_b, CLONE_NEWNET) != 0) throw std::runtime_error("setns B failed");
    }
};

inline void sh(const std::string &cmd)
{
    if (std::system((cmd + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("setup command failed: " + cmd);
}

inline VethPair make_veth_pair()
{
    VethPair v;
    if (unshare(CLONE_NEWNET) != 0) throw std::runtime_error("SKIP: unshare(CLONE_NEWNET) not permitted");
    v.ns_a = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    if (unshare(CLONE_NEWNET) != 0) throw std::runtime_error("SKIP: second unshare failed");
    v.ns_b = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    sh("ip link set lo up");
    v.enter_a();
    sh("ip link set lo up");
    sh("ip link add pmtx0 type veth peer name pmtx1 netns /proc/" + std::to_string(getpid()) + "/fd/" +
       std::to_string(v.ns_b));
    sh("ip addr add 10.77.0.1/24 dev pmtx0");
    sh("ip link set pmtx0 up");
    sh("ip route add 198.18.0.0/15 via 10.77.0.2");
    v.enter_b();
    sh("ip addr add 10.77.0.2/24 dev pmtx1");
    sh("ip link set pmtx1 up");
    v.enter_a();
    return v;
}

// Runs body() in a child with its own namespaces; returns "" on success, the
// failure text otherwise, or a text starting with "SKIP:".
inline std::string run_in_private_netns(const std::function<std::string(const VethPair &)> &body, int timeout_s = 60)
{
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    const pid_t pid = fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
        close(fds[0]);
        alarm(static_cast<unsigned>(timeout_s)); // bounded even if a send loop misbehaves
        std::string result;
        try {
            const VethPair v = make_veth_pair();
            result = body(v);
        } catch (const std::exception &e) {
            result = e.what();
        }
        if (!result.empty() && write(fds[1], result.data(), result.size()) < 0) _exit(3);
        close(fds[1]);
        _exit(result.empty() ? 0 : 1);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) return out + " (child killed by signal " + std::to_string(WTERMSIG(status)) + ")";
    if (WEXITSTATUS(status) != 0 && out.empty()) return "child failed with status " + std::to_string(WEXITSTATUS(status));
    return out;
}

} // namespace pathmap::testing
