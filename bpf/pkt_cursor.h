/* Bounds-checked packet reads for XDP programs (and, compiled as C++, for
 * the same parser in userspace: bpf/reply_parse.h).
 *
 * Every read goes through pm_pull(), which checks the whole span against
 * data_end before handing out a pointer. Offsets are kept as scalars and
 * clamped to PM_MAX_PKT_OFF so the verifier always knows their range, even
 * after adding header lengths taken from the packet (IHL, RFC 4884 length).
 */
#ifndef PATHMAP_BPF_PKT_CURSOR_H
#define PATHMAP_BPF_PKT_CURSOR_H

#include <linux/types.h>
#ifdef __bpf__
#include <bpf/bpf_helpers.h>
#else
#include <sys/cdefs.h> /* __always_inline */
#endif

/* Larger than any frame we parse (9k jumbo); a power of two minus one so
 * the clamp below is a cheap mask the verifier understands. */
#define PM_MAX_PKT_OFF 0x3fff

struct pm_pkt {
    const __u8 *data;
    const __u8 *end;
};

/* Pointer to `len` bytes at `off`, or NULL when any of them lies past the
 * end of the packet. `len` is a compile-time constant at every call site. */
static __always_inline const __u8 *pm_pull(const struct pm_pkt *p, __u32 off, __u32 len)
{
    if (off > PM_MAX_PKT_OFF) return 0;
    off &= PM_MAX_PKT_OFF; /* restate the bound: clang may test a copy */
    const __u8 *ptr = p->data + off;
    if (ptr + len > p->end) return 0;
    return ptr;
}

/* Hides `v` from the optimiser (libbpf's barrier_var). In a loop over the
 * packet, clang may otherwise strength-reduce the offset into a pointer and
 * fold the bounds check into `data_end + 1`, which the verifier rejects
 * ("pointer arithmetic on pkt_end prohibited"). */
#define pm_opaque(v) __asm__ volatile("" : "+r"(v))

/* Bytes from `off` to the end of the packet (0 when off is past it). */
static __always_inline __u32 pm_avail(const struct pm_pkt *p, __u32 off)
{
    __u64 total = (__u64)(p->end - p->data);
    return off >= total ? 0 : (__u32)(total - off);
}

static __always_inline __u16 pm_be16(const __u8 *b) { return (__u16)((b[0] << 8) | b[1]); }

static __always_inline __u32 pm_be32(const __u8 *b)
{
    return ((__u32)b[0] << 24) | ((__u32)b[1] << 16) | ((__u32)b[2] << 8) | b[3];
}

/* Network-order 32-bit load kept in network order (addresses). */
static __always_inline __u32 pm_raw32(const __u8 *b)
{
    __u32 v;
    __builtin_memcpy(&v, b, sizeof(v));
    return v;
}

#endif
