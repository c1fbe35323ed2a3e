/* version.h — the Crucible version and the git commit it was built from. */
#ifndef CRC_VERSION_H
#define CRC_VERSION_H
const char *crc_version(void);    /* e.g. "0.1.0" */
const char *crc_git_commit(void); /* short hash, "-dirty" suffix if the tree had changes */
#endif
