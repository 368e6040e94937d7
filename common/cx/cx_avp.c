/*
 * AVP helpers: read a child by (code, vendor) in one call, add a typed child
 * in one call. They replace the four-step search/hdr/check/copy blocks.
 */
#include "cx_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool avp_matches(struct avp *avp, uint32_t code, uint32_t vendor)
{
    struct avp_hdr *h = NULL;
    if (fd_msg_avp_hdr(avp, &h) != 0 || !h || h->avp_code != code)
        return false;
    if (vendor == 0)
        return !(h->avp_flags & AVP_FLAG_VENDOR);
    return (h->avp_flags & AVP_FLAG_VENDOR) && h->avp_vendor == vendor;
}

static struct avp *next_match(struct avp *from, uint32_t code, uint32_t vendor)
{
    struct avp *cur = from;
    while (cur) {
        if (avp_matches(cur, code, vendor))
            return cur;
        struct avp *nxt = NULL;
        if (fd_msg_browse(cur, MSG_BRW_NEXT, &nxt, NULL) != 0)
            return NULL;
        cur = nxt;
    }
    return NULL;
}

struct avp *cx__avp_first(void *parent, uint32_t code, uint32_t vendor)
{
    struct avp *first = NULL;
    if (!parent || fd_msg_browse(parent, MSG_BRW_FIRST_CHILD, &first, NULL) != 0)
        return NULL;
    return next_match(first, code, vendor);
}

struct avp *cx__avp_next(struct avp *avp, uint32_t code, uint32_t vendor)
{
    struct avp *nxt = NULL;
    if (!avp || fd_msg_browse(avp, MSG_BRW_NEXT, &nxt, NULL) != 0)
        return NULL;
    return next_match(nxt, code, vendor);
}

union avp_value *cx__avp_val(struct avp *avp)
{
    struct avp_hdr *h = NULL;
    if (!avp || fd_msg_avp_hdr(avp, &h) != 0 || !h)
        return NULL;
    return h->avp_value;
}

int cx__avp_str(struct avp *avp, char **out)
{
    union avp_value *v = cx__avp_val(avp);
    if (!v)
        return -ENOENT;
    char *s = malloc(v->os.len + 1);
    if (!s)
        return -ENOMEM;
    if (v->os.len)
        memcpy(s, v->os.data, v->os.len);
    s[v->os.len] = '\0';
    *out = s;
    return 0;
}

int cx__avp_get_str(void *parent, uint32_t code, uint32_t vendor, char **out)
{
    struct avp *a = cx__avp_first(parent, code, vendor);
    if (!a)
        return -ENOENT;
    free(*out);
    *out = NULL;
    return cx__avp_str(a, out);
}

int cx__avp_get_bytes(void *parent, uint32_t code, uint32_t vendor, struct cx_bytes *out)
{
    union avp_value *v = cx__avp_val(cx__avp_first(parent, code, vendor));
    if (!v)
        return -ENOENT;
    return cx_bytes_set(out, v->os.data, v->os.len);
}

int cx__avp_get_u32(void *parent, uint32_t code, uint32_t vendor, uint32_t *out)
{
    union avp_value *v = cx__avp_val(cx__avp_first(parent, code, vendor));
    if (!v)
        return -ENOENT;
    *out = v->u32;
    return 0;
}

int cx__avp_get_i32(void *parent, uint32_t code, uint32_t vendor, int32_t *out)
{
    union avp_value *v = cx__avp_val(cx__avp_first(parent, code, vendor));
    if (!v)
        return -ENOENT;
    *out = v->i32;
    return 0;
}

int cx__avp_get_strlist(void *parent, uint32_t code, uint32_t vendor, struct cx_strlist *l)
{
    for (struct avp *a = cx__avp_first(parent, code, vendor); a;
         a = cx__avp_next(a, code, vendor)) {
        char *s = NULL;
        int ret = cx__avp_str(a, &s);
        if (ret == -ENOENT)
            continue;
        if (ret != 0)
            return ret;
        ret = cx_strlist_add(l, s);
        free(s);
        if (ret != 0)
            return ret;
    }
    return 0;
}

static int add_value(void *parent, struct dict_object *model, union avp_value *val,
                     struct avp **added)
{
    struct avp *a = NULL;
    int ret;
    if (!model)
        return -ENOENT;
    if ((ret = fd_msg_avp_new(model, 0, &a)) != 0)
        return -ret;
    if (val && (ret = fd_msg_avp_setvalue(a, val)) != 0)
        goto err;
    if ((ret = fd_msg_avp_add(parent, MSG_BRW_LAST_CHILD, a)) != 0)
        goto err;
    if (added)
        *added = a;
    return 0;
err:
    fd_msg_free(a);
    return -ret;
}

int cx__add_bytes(void *parent, struct dict_object *model, const void *data, size_t len)
{
    union avp_value v = {.os = {.data = (uint8_t *)data, .len = len}};
    return add_value(parent, model, &v, NULL);
}

int cx__add_str(void *parent, struct dict_object *model, const char *s)
{
    if (!s)
        return -EINVAL;
    return cx__add_bytes(parent, model, s, strlen(s));
}

int cx__add_u32(void *parent, struct dict_object *model, uint32_t v)
{
    union avp_value val = {.u32 = v};
    return add_value(parent, model, &val, NULL);
}

int cx__add_i32(void *parent, struct dict_object *model, int32_t v)
{
    union avp_value val = {.i32 = v};
    return add_value(parent, model, &val, NULL);
}

int cx__add_group(void *parent, struct dict_object *model, struct avp **grp)
{
    return add_value(parent, model, NULL, grp);
}

int cx__add_strlist(void *parent, struct dict_object *model, const struct cx_strlist *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        int ret = cx__add_str(parent, model, l->v[i]);
        if (ret != 0)
            return ret;
    }
    return 0;
}

int cx_strlist_add(struct cx_strlist *l, const char *s)
{
    if (!l || !s)
        return -EINVAL;
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    char **v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (!v) {
        free(copy);
        return -ENOMEM;
    }
    v[l->n++] = copy;
    l->v = v;
    return 0;
}

void cx_strlist_free(struct cx_strlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

int cx_bytes_set(struct cx_bytes *b, const void *data, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    if (len)
        memcpy(copy, data, len);
    free(b->data);
    b->data = copy;
    b->len = len;
    return 0;
}
