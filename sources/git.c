/* Placeholder: the git source arrives with issue 4's work. */
#include "sources/source-internal.h"

#include <errno.h>
#include <string.h>

bool
src_git_spec_matches(const char *spec)
{
        return strncmp(spec, "file://", 7) == 0 || strncmp(spec, "https://", 8) == 0 ||
               strncmp(spec, "ssh://", 6) == 0;
}

int
src_git_open(src_source *s, tm_error *err)
{
        return tm_error_set(err, -ENOTSUP, "git sources are not supported yet: \"%s\"",
                            s->display);
}
