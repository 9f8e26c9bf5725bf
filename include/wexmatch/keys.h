/* keys.h: key encoding.  Integers in keys are big-endian so that LMDB's
 * byte order (memcmp) is numeric order, and composite keys sort by their
 * first part, then the next (prefix iteration). */
#ifndef WEXMATCH_KEYS_H
#define WEXMATCH_KEYS_H

#include <stdint.h>

static inline void wx_put_be16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static inline void wx_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static inline void wx_put_be64(unsigned char *p, uint64_t v)
{
	wx_put_be32(p, (uint32_t)(v >> 32));
	wx_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t wx_get_be16(const unsigned char *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t wx_get_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t wx_get_be64(const unsigned char *p)
{
	return (uint64_t)wx_get_be32(p) << 32 | wx_get_be32(p + 4);
}

/* Signed 64-bit values (times) are stored with the sign bit flipped so that
 * negative values sort before positive ones. */
static inline void wx_put_be64s(unsigned char *p, int64_t v)
{
	wx_put_be64(p, (uint64_t)v ^ UINT64_C(0x8000000000000000));
}

static inline int64_t wx_get_be64s(const unsigned char *p)
{
	return (int64_t)(wx_get_be64(p) ^ UINT64_C(0x8000000000000000));
}

#endif
