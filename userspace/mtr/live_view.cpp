// LiveView: raw-mode terminal and ANSI redraws.
#include "userspace/mtr/live_view.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>
#include <stdexcept>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "pathmap/ipv4.h"
#include "userspace/mtr/report_format.h"

namespace pathmap::mtr {

namespace {
void write_all(int fd, const std::string &s) noexcept
{
    size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<size_t>(n);
    }
}
} // namespace

std::string format_live_header(const LiveHeader &h)
{
    auto secs = static_cast<uint64_t>(h.elapsed_s);
    return fmt::format("pathmap mtr {} ({}) | round {} | {:.0f} probes/s out, {:.0f} replies/s in | elapsed {:02d}:{:02d}:{:02d} | q quits",
                       h.targets_text, h.proto, h.rounds, h.pps_out, h.pps_in, secs / 3600, secs / 60 % 60, secs % 60);
}

std::string render_live_screen(const LiveHeader &h, const MtrRun &run, unsigned rows, const HostNaming &naming)
{
    std::string out = format_live_header(h) + "\n";
    const auto &c = run.counters();
    out += fmt::format("sent {}  received {}  lost {}  late {}  in flight {}", c.sent, c.received, c.lost, c.late,
                       c.sent >= c.received + c.lost + c.late ? c.in_flight() : 0);
    out += (h.names_status.empty() ? "" : "  |  " + h.names_status) + "\n";
    unsigned used = 2;
    for (size_t t = 0; t < run.num_targets(); ++t) {
        std::string table = format_hop_table("TARGET: " + format_ipv4(run.config().targets[t]), run.table(t), naming);
        unsigned lines = 1;
        for (char ch : table) lines += ch == '\n';
        if (rows && used + lines > rows) {
            out += fmt::format("... {} more target(s) not shown; enlarge the terminal or use --report\n",
                               run.num_targets() - t);
            break;
        }
        out += "\n" + table;
        used += lines;
    }
    return out;
}

struct LiveView::Saved {
    termios tio{};
    bool active = false;
};

LiveView::LiveView()
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        throw std::runtime_error("--continuous live view needs a terminal on stdin and stdout");
    saved_ = new Saved;
    if (tcgetattr(STDIN_FILENO, &saved_->tio) != 0) {
        delete saved_;
        saved_ = nullptr;
        throw std::runtime_error(std::string("cannot read terminal settings: ") + std::strerror(errno));
    }
    termios raw = saved_->tio;
    // No echo, no line buffering; ISIG stays on so Ctrl-C raises SIGINT.
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    saved_->active = true;
    write_all(STDOUT_FILENO, "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
}

LiveView::~LiveView()
{
    restore();
    delete saved_;
}

void LiveView::restore() noexcept
{
    if (!saved_ || !saved_->active) return;
    saved_->active = false;
    write_all(STDOUT_FILENO, "\x1b[?25h\x1b[?1049l");
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_->tio);
}

void LiveView::draw(const LiveHeader &h, const MtrRun &run, const HostNaming &naming)
{
    winsize ws{};
    unsigned rows = ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_row : 24;
    std::string screen = render_live_screen(h, run, rows ? rows - 1 : 0, naming);
    std::string out = "\x1b[H";
    // Clear each line's tail, then everything below: no flicker from a full clear.
    size_t start = 0;
    while (start < screen.size()) {
        size_t nl = screen.find('\n', start);
        if (nl == std::string::npos) nl = screen.size();
        out.append(screen, start, nl - start);
        out += "\x1b[K\r\n";
        start = nl + 1;
    }
    out += "\x1b[J";
    write_all(STDOUT_FILENO, out);
}

bool LiveView::quit_requested() noexcept
{
    bool quit = false;
    pollfd p{.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
    while (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
        char buf[64];
        ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n <= 0) break;
        for (ssize_t i = 0; i < n; ++i)
            if (buf[i] == 'q' || buf[i] == 'Q') quit = true;
    }
    return quit;
}

} // namespace pathmap::mtr
