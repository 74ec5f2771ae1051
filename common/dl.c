#include "common/dl-internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Like the dynamic linker's own state, which libraries are open is
 * process-wide: the list below and its lock are this module's globals. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static tm_dl_lib *opened;

static int
open_locked(tm_dl_lib *lib, tm_error *err)
{
        if (lib->handle)
                return 0;
        (void)dlerror();
        void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
        if (!h) {
                const char *why = dlerror();
                return tm_error_set(err, -ELIBACC, "cannot load %s (Debian package %s): %s",
                                    lib->soname, lib->package, why ? why : "unknown reason");
        }
        for (size_t i = 0; i < lib->n_names; i++) {
                (void)dlerror();
                void *p = dlsym(h, lib->names[i]);
                if (!p) {
                        const char *why = dlerror();
                        int r = tm_error_set(
                            err, -ELIBBAD, "%s (Debian package %s) lacks \"%s\": %s", lib->soname,
                            lib->package, lib->names[i], why ? why : "no such symbol");
                        memset(lib->syms, 0, lib->n_names * sizeof(lib->syms[0]));
                        dlclose(h);
                        return r;
                }
                lib->syms[i] = p;
        }
        __atomic_store_n(&lib->handle, h, __ATOMIC_RELEASE); /* after the symbols (tm_dl_sym) */
        lib->next = opened;
        opened = lib;
        return 0;
}

int
tm_dl_open(tm_dl_lib *lib, tm_error *err)
{
        pthread_mutex_lock(&lock);
        int r = open_locked(lib, err);
        pthread_mutex_unlock(&lock);
        return r;
}

void *
tm_dl_sym(tm_dl_lib *lib, size_t i)
{
        if (__atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE))
                return lib->syms[i];
        tm_error err = {0};
        if (tm_dl_open(lib, &err) < 0) {
                fprintf(stderr, "timone: %s\n", err.msg);
                abort();
        }
        return lib->syms[i];
}

void
tm_dl_close(tm_dl_lib *lib)
{
        pthread_mutex_lock(&lock);
        if (lib->handle) {
                for (tm_dl_lib **p = &opened; *p; p = &(*p)->next)
                        if (*p == lib) {
                                *p = lib->next;
                                break;
                        }
                lib->next = NULL;
                memset(lib->syms, 0, lib->n_names * sizeof(lib->syms[0]));
                dlclose(lib->handle);
                __atomic_store_n(&lib->handle, NULL, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&lock);
}

bool
tm_dl_is_open(const char *soname)
{
        bool found = false;
        pthread_mutex_lock(&lock);
        for (const tm_dl_lib *l = opened; l && !found; l = l->next)
                found = strcmp(l->soname, soname) == 0;
        pthread_mutex_unlock(&lock);
        return found;
}
