/* version.c — compiled on every build so the commit hash is always current. */
#include "util/version.h"
#ifndef CRC_VERSION
#define CRC_VERSION "0.0.0"
#endif
#ifndef CRC_GIT_COMMIT
#define CRC_GIT_COMMIT "unknown"
#endif
const char *crc_version(void) { return CRC_VERSION; }
const char *crc_git_commit(void) { return CRC_GIT_COMMIT; }
