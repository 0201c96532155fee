/* SPDX-License-Identifier: MIT */
/* s3-parse.c: what the S3 client reads: the AWS config and credentials
 * files, credentials as AWS tools hand them out (JSON, STS XML), the XML
 * of a server's answers, dates, and keys as S3 signs them */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "mmp/remote.h"
#include "util/util.h"
#include "s3-internal.h"

static void wipe(char *s)
{
	if (s)
		memset(s, 0, strlen(s));
}

static void wipe_free(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static size_t trim_len(const char *p, size_t n)
{
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
		n--;
	return n;
}

void mmp_s3__ini_release(mmp_s3__ini *ini)
{
	size_t i;

	for (i = 0; i < ini->n; i++) {
		free(ini->e[i].section);
		free(ini->e[i].key);
		wipe_free(ini->e[i].value);
	}
	free(ini->e);
	free(ini->file);
	memset(ini, 0, sizeof(*ini));
}

static void ini_add(mmp_s3__ini *ini, const char *section, const char *key,
	size_t kl, const char *value, size_t vl, int line)
{
	mmp_s3__ini_entry *e;
	size_t i;

	MMP_ALLOC_GROW(ini->e, ini->n + 1, ini->alloc);
	e = &ini->e[ini->n++];
	e->section = mmp__strdup(section);
	e->key = key ? mmp__strndup(key, kl) : NULL;
	for (i = 0; e->key && e->key[i]; i++)
		e->key[i] = (char)tolower((unsigned char)e->key[i]);
	e->value = value ? mmp__strndup(value, vl) : NULL;
	e->line = line;
}

/* "[ profile   dev ] # note" -> "profile dev"; -1 when malformed */
static int section_name(mmp_buf *out, const char *s, size_t n)
{
	const char *close = memchr(s, ']', n), *p, *rest;

	if (!close)
		return -1;
	rest = skip_ws(close + 1, s + n);
	if (rest < s + n && *rest != '#' && *rest != ';')
		return -1;
	mmp_buf_clear(out);
	for (p = skip_ws(s + 1, close); p < close;) {
		const char *w = p;
		while (p < close && *p != ' ' && *p != '\t')
			p++;
		if (out->size)
			mmp_buf_putc(out, ' ');
		mmp_buf_put(out, w, (size_t)(p - w));
		p = skip_ws(p, close);
	}
	return out->size ? 0 : -1;
}

int mmp_s3__ini_parse(mmp_s3__ini *out, const char *text, size_t len,
	const char *file)
{
	const char *p = text, *end = text + len;
	mmp_buf section = MMP_BUF_INIT, nest = MMP_BUF_INIT;
	int line = 0, err = 0, in = 0, nested = 0;

	memset(out, 0, sizeof(*out));
	out->file = mmp__strdup(file);
	while (p < end && !err) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s, *le = eol ? eol : end, *eq;
		size_t n, kl, vl;
		int indented;

		line++;
		indented = p < le && (*p == ' ' || *p == '\t');
		s = skip_ws(p, le);
		p = eol ? eol + 1 : end;
		n = trim_len(s, (size_t)(le - s));
		if (memchr(s, '\0', n)) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s:%d: a NUL byte in the file", file, line);
			break;
		}
		if (!n || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			nested = 0;
			if (section_name(&section, s, n) < 0) {
				err = mmp_error_ret(MMP_EINVALID,
					MMP_ERROR_CONFIG, "%s:%d: a section "
					"header must end with ']'", file,
					line);
				break;
			}
			in = 1;
			ini_add(out, section.ptr, NULL, 0, NULL, 0, line);
			continue;
		}
		if (!(eq = memchr(s, '=', n)) || eq == s) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s:%d: expected 'key = value' or '[profile]'",
				file, line);
			break;
		}
		if (!in) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s:%d: 'key = value' before any [section]",
				file, line);
			break;
		}
		kl = trim_len(s, (size_t)(eq - s));
		{
			const char *v = skip_ws(eq + 1, s + n);

			vl = trim_len(v, (size_t)(s + n - v));
			if (nested && indented) {
				mmp_buf k = MMP_BUF_INIT;
				mmp_buf_printf(&k, "%s.", nest.ptr);
				mmp_buf_put(&k, s, kl);
				ini_add(out, section.ptr, k.ptr, k.size, v, vl,
					line);
				mmp_buf_dispose(&k);
				continue;
			}
			nested = !vl;
			if (nested) {
				mmp_buf_clear(&nest);
				mmp_buf_put(&nest, s, kl);
			}
			ini_add(out, section.ptr, s, kl, v, vl, line);
		}
	}
	mmp_buf_dispose(&section);
	mmp_buf_dispose(&nest);
	if (err < 0)
		mmp_s3__ini_release(out);
	return err;
}

int mmp_s3__ini_has(const mmp_s3__ini *ini, const char *section)
{
	size_t i;

	for (i = 0; i < ini->n; i++)
		if (!strcmp(ini->e[i].section, section))
			return 1;
	return 0;
}

const mmp_s3__ini_entry *mmp_s3__ini_get(const mmp_s3__ini *ini,
	const char *section, const char *key)
{
	size_t i;

	for (i = ini->n; i-- > 0;)
		if (ini->e[i].key && !strcmp(ini->e[i].key, key) &&
		    !strcmp(ini->e[i].section, section))
			return &ini->e[i];
	return NULL;
}

int mmp_s3__credentials_parse(char **id, char **secret, char **token,
	const char *text, size_t len, const char *file, const char *profile)
{
	mmp_s3__ini ini;
	mmp_buf alt = MMP_BUF_INIT;
	const mmp_s3__ini_entry *e;
	const char *sec = profile;
	int err;

	*id = *secret = *token = NULL;
	if ((err = mmp_s3__ini_parse(&ini, text, len, file)) < 0)
		return err;
	/* ~/.aws/config writes [profile NAME] */
	mmp_buf_printf(&alt, "profile %s", profile);
	if (!mmp_s3__ini_has(&ini, profile) && mmp_s3__ini_has(&ini, alt.ptr))
		sec = alt.ptr;
	if (!mmp_s3__ini_has(&ini, sec)) {
		err = mmp_error_ret(MMP_ENOTFOUND, MMP_ERROR_CONFIG,
			"%s has no profile '%s'", file, profile);
		goto done;
	}
	if ((e = mmp_s3__ini_get(&ini, sec, "aws_access_key_id")))
		*id = mmp__strdup(e->value);
	if ((e = mmp_s3__ini_get(&ini, sec, "aws_secret_access_key")))
		*secret = mmp__strdup(e->value);
	if ((e = mmp_s3__ini_get(&ini, sec, "aws_session_token")))
		*token = mmp__strdup(e->value);
	if (!*id || !**id || !*secret || !**secret) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
			"%s: profile '%s' needs both aws_access_key_id and "
			"aws_secret_access_key", file, profile);
		wipe_free(*id);
		wipe_free(*secret);
		wipe_free(*token);
		*id = *secret = *token = NULL;
	}
done:
	mmp_buf_dispose(&alt);
	mmp_s3__ini_release(&ini);
	return err;
}

/*
 * Expirations come from STS and ECS/IMDS ("2026-12-05T10:00:00Z"),
 * credential_process (any RFC 3339 time) and SSO caches, which older
 * AWS CLIs write with a "UTC" suffix; a time before 1970 is not one.
 */
int64_t mmp_s3__iso8601(const char *s)
{
	mmp_time_stamp t;

	if (mmp_time_parse_str(&t, s, MMP_TIME_UTC_WORD) < 0 || t.sec < 0)
		return -1;
	return t.sec;
}

void mmp_s3__argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

int mmp_s3__split_command(char ***argv, const char *cmd)
{
	char **v = NULL;
	size_t n = 0, alloc = 0;
	mmp_buf w = MMP_BUF_INIT;
	const char *p = cmd;

	*argv = NULL;
	for (;;) {
		int have = 0;

		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		mmp_buf_clear(&w);
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r') {
			have = 1;
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (!q)
					goto unclosed;
				mmp_buf_put(&w, p + 1, (size_t)(q - p - 1));
				p = q + 1;
			} else if (*p == '"') {
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && p[1] && strchr(
					    "\\\"$`\n", p[1])) {
						if (p[1] != '\n')
							mmp_buf_putc(&w, p[1]);
						p += 2;
						continue;
					}
					mmp_buf_putc(&w, *p++);
				}
				if (*p != '"')
					goto unclosed;
				p++;
			} else if (*p == '\\') {
				if (p[1] && p[1] != '\n')
					mmp_buf_putc(&w, p[1]);
				p += p[1] ? 2 : 1;
			} else {
				mmp_buf_putc(&w, *p++);
			}
		}
		if (have) {
			MMP_ALLOC_GROW(v, n + 2, alloc);
			v[n++] = mmp__strdup(w.ptr);
			v[n] = NULL;
		}
	}
	mmp_buf_dispose(&w);
	if (!n) {
		free(v);
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "an empty "
			"command");
	}
	*argv = v;
	return 0;
unclosed:
	mmp_buf_dispose(&w);
	if (v)
		v[n] = NULL;
	mmp_s3__argv_free(v);
	return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "a quote is not "
		"closed in the command");
}

void mmp_s3__creds_release(mmp_s3__creds *c)
{
	wipe_free(c->id);
	wipe_free(c->secret);
	wipe_free(c->token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

/* the string `name` of `o`: 0, 1 when absent, -1 when not a string */
static int json_str(const char **out, const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 1;
	if (!cJSON_IsString(v) || !v->valuestring)
		return -1;
	*out = v->valuestring;
	return 0;
}

/* a value that goes into an HTTP header must hold no line break */
static int header_safe(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int creds_take(mmp_s3__creds *out, const char *id,
	const char *secret, const char *token, const char *what,
	const char *id_name, const char *secret_name, const char *token_name)
{
	if (!id || !*id)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"no '%s' in the answer", what, id_name);
	if (!secret || !*secret)
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"no '%s' in the answer", what, secret_name);
	if (!header_safe(id) || !header_safe(secret) || !header_safe(token))
		return mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"'%s', '%s' or '%s' holds a control character", what,
			id_name, secret_name, token_name);
	out->id = mmp__strdup(id);
	out->secret = mmp__strdup(secret);
	out->token = token && *token ? mmp__strdup(token) : NULL;
	return 0;
}

int mmp_s3__creds_json(mmp_s3__creds *out, const char *json, size_t len,
	int process, const char *what)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const char *id, *secret, *token, *exp, *code;
	const char *tname = process ? "SessionToken" : "Token";
	const cJSON *ver;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!o || !cJSON_IsObject(o)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: the "
			"answer is not a JSON object", what);
		goto done;
	}
	if (process) {
		ver = cJSON_GetObjectItemCaseSensitive(o, "Version");
		if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
			err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG,
				"%s: 'Version' must be 1", what);
			goto done;
		}
	} else if (json_str(&code, o, "Code") == 0 &&
	    strcmp(code, "Success")) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"'Code' is not Success", what);
		goto done;
	}
	if (json_str(&id, o, "AccessKeyId") < 0 ||
	    json_str(&secret, o, "SecretAccessKey") < 0 ||
	    json_str(&token, o, tname) < 0 ||
	    json_str(&exp, o, "Expiration") < 0) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"'AccessKeyId', 'SecretAccessKey', '%s' and "
			"'Expiration' must be strings", what, tname);
		goto done;
	}
	if (!process && (!token || !*token)) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"no '%s' in the answer", what, tname);
		goto done;
	}
	if (exp && (out->expires = mmp_s3__iso8601(exp)) <= 0) {
		err = mmp_error_ret(MMP_EINVALID, MMP_ERROR_CONFIG, "%s: "
			"'Expiration' is not an ISO 8601 time", what);
		goto done;
	}
	err = creds_take(out, id, secret, token, what, "AccessKeyId",
		"SecretAccessKey", tname);
done:
	if (o) {
		/* the secret in cJSON's copy */
		if (cJSON_GetObjectItemCaseSensitive(o, "SecretAccessKey") &&
		    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o,
		    "SecretAccessKey")))
			wipe(cJSON_GetObjectItemCaseSensitive(o,
				"SecretAccessKey")->valuestring);
		cJSON_Delete(o);
	}
	if (err < 0)
		mmp_s3__creds_release(out);
	return err;
}

int mmp_s3__sts_parse(mmp_s3__creds *out, const char *xml, size_t len,
	const char *what)
{
	const char *end = xml + len, *c, *p;
	mmp_buf id = MMP_BUF_INIT, secret = MMP_BUF_INIT, tok = MMP_BUF_INIT;
	mmp_buf exp = MMP_BUF_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	if (!(c = mmp_s3__find(xml, end, "<Credentials>"))) {
		char *code = NULL, *msg = NULL;

		mmp_s3__error_parse(&code, &msg, xml, len);
		if (code)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP,
				"%s: %s%s%s", what, code, msg ? ": " : "",
				msg ? msg : "");
		else
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: the "
				"answer holds no Credentials", what);
		free(code);
		free(msg);
		return err;
	}
	p = c;
	mmp_s3__xml_next(&id, &p, end, "AccessKeyId");
	p = c;
	mmp_s3__xml_next(&secret, &p, end, "SecretAccessKey");
	p = c;
	mmp_s3__xml_next(&tok, &p, end, "SessionToken");
	p = c;
	if (mmp_s3__xml_next(&exp, &p, end, "Expiration") < 0 ||
	    (out->expires = mmp_s3__iso8601(exp.ptr)) <= 0) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: the "
			"Credentials have no valid Expiration", what);
		goto done;
	}
	if (!tok.size) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: no "
			"'SessionToken' in the answer", what);
		goto done;
	}
	if (strlen(id.ptr ? id.ptr : "") != id.size ||
	    strlen(secret.ptr ? secret.ptr : "") != secret.size ||
	    strlen(tok.ptr) != tok.size) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: a NUL byte "
			"in the Credentials", what);
		goto done;
	}
	err = creds_take(out, id.ptr, secret.ptr, tok.ptr, what,
		"AccessKeyId", "SecretAccessKey", "SessionToken");
	if (err == MMP_EINVALID)
		err = MMP_ENET;
done:
	wipe(secret.ptr);
	wipe(tok.ptr);
	mmp_buf_dispose(&id);
	mmp_buf_dispose(&secret);
	mmp_buf_dispose(&tok);
	mmp_buf_dispose(&exp);
	if (err < 0)
		mmp_s3__creds_release(out);
	return err;
}

int mmp_s3__sso_parse(mmp_s3__creds *out, const char *json, size_t len,
	const char *what)
{
	cJSON *o = cJSON_ParseWithLength(json, len);
	const cJSON *rc = o ? cJSON_GetObjectItemCaseSensitive(o,
		"roleCredentials") : NULL, *exp;
	const char *id, *secret, *token;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject(rc)) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: the answer "
			"holds no 'roleCredentials' object", what);
		goto done;
	}
	exp = cJSON_GetObjectItemCaseSensitive(rc, "expiration");
	if (json_str(&id, rc, "accessKeyId") < 0 ||
	    json_str(&secret, rc, "secretAccessKey") < 0 ||
	    json_str(&token, rc, "sessionToken") != 0 || !*token ||
	    !cJSON_IsNumber(exp) ||
	    exp->valuedouble < 1e12 || exp->valuedouble > 1e15) {
		err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "%s: "
			"'roleCredentials' needs accessKeyId, secretAccessKey, "
			"sessionToken (strings) and expiration (ms since the "
			"epoch)", what);
		goto done;
	}
	out->expires = (int64_t)(exp->valuedouble / 1000);
	if ((err = creds_take(out, id, secret, token, what, "accessKeyId",
	    "secretAccessKey", "sessionToken")) < 0)
		err = MMP_ENET;
done:
	if (cJSON_IsObject(rc) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(rc,
	    "secretAccessKey")))
		wipe(cJSON_GetObjectItemCaseSensitive(rc,
			"secretAccessKey")->valuestring);
	cJSON_Delete(o);
	if (err < 0)
		mmp_s3__creds_release(out);
	return err;
}

static void xml_decode(mmp_buf *out, const char *p, const char *end)
{
	static const struct { const char *name; char c; } ents[] = {
		{ "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' },
	};

	while (p < end) {
		size_t i;

		if (*p != '&') {
			mmp_buf_putc(out, *p++);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(ents); i++) {
			size_t n = strlen(ents[i].name);
			if ((size_t)(end - p - 1) >= n &&
			    !memcmp(p + 1, ents[i].name, n)) {
				mmp_buf_putc(out, ents[i].c);
				p += n + 1;
				break;
			}
		}
		if (i < ARRAY_SIZE(ents))
			continue;
		if (end - p > 3 && p[1] == '#') {
			const char *q = p + 2;
			unsigned long c = 0;
			int hex = *q == 'x', digits = 0;

			if (hex)
				q++;
			while (q < end && digits < 8 && (hex ?
			    isxdigit((unsigned char)*q) :
			    isdigit((unsigned char)*q))) {
				c = c * (hex ? 16 : 10) + (unsigned long)(
					isdigit((unsigned char)*q) ?
					*q - '0' :
					tolower((unsigned char)*q) - 'a' + 10);
				q++;
				digits++;
			}
			if (digits && q < end && *q == ';' && c > 0 &&
			    c < 0x80) {
				mmp_buf_putc(out, (int)c);
				p = q + 1;
				continue;
			}
		}
		mmp_buf_putc(out, *p++);
	}
}

const char *mmp_s3__find(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	for (; p && (size_t)(end - p) >= n; p++) {
		p = memchr(p, *s, (size_t)(end - p));
		if (!p || (size_t)(end - p) < n)
			return NULL;
		if (!memcmp(p, s, n))
			return p;
	}
	return NULL;
}

int mmp_s3__xml_next(mmp_buf *out, const char **pos, const char *end,
	const char *tag)
{
	char open[64], close[64];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (!(a = mmp_s3__find(*pos, end, open)))
		return -1;
	a += strlen(open);
	if (!(b = mmp_s3__find(a, end, close)))
		return -1;
	mmp_buf_clear(out);
	xml_decode(out, a, b);
	*pos = b + strlen(close);
	return 0;
}

/* what a server says may reach a terminal: control characters as '?' */
static void no_controls(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void mmp_s3__error_parse(char **code, char **message, const char *xml,
	size_t len)
{
	mmp_buf v = MMP_BUF_INIT;
	const char *p = xml, *end = xml + len;
	const char *e = mmp_s3__find(xml, end, "<Error>");

	*code = *message = NULL;
	if (!e)
		return;
	p = e;
	if (mmp_s3__xml_next(&v, &p, end, "Code") == 0)
		*code = mmp__strdup(v.ptr);
	p = e;
	if (mmp_s3__xml_next(&v, &p, end, "Message") == 0)
		*message = mmp__strdup(v.ptr);
	mmp_buf_dispose(&v);
	no_controls(*code);
	no_controls(*message);
}

void mmp_s3__strip_quotes(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int mmp_s3__list_parse(mmp_s3_object **out, size_t *n, size_t *alloc,
	int *truncated, char **next, const char *xml, size_t len,
	const char *strip)
{
	const char *p = xml, *end = xml + len, *c;
	mmp_buf item = MMP_BUF_INIT, v = MMP_BUF_INIT;
	size_t sl = strip ? strlen(strip) : 0;
	int err = 0;

	*truncated = 0;
	*next = NULL;
	if (!mmp_s3__find(xml, end, "<ListBucketResult"))
		return mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "the server's "
			"answer to a listing is not a ListBucketResult");
	while ((c = mmp_s3__find(p, end, "<Contents>"))) {
		const char *ce = mmp_s3__find(c, end, "</Contents>"), *q;
		mmp_s3_object *o;
		int64_t size;

		if (!ce) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"listing entry is not closed");
			break;
		}
		q = c;
		if (mmp_s3__xml_next(&item, &q, ce, "Key") < 0) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"listing entry has no Key");
			break;
		}
		q = c;
		if (mmp_s3__xml_next(&v, &q, ce, "Size") < 0 ||
		    mmp_parse_int64(v.ptr, &size) < 0 || size < 0) {
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "the "
				"listing gives no size for a key");
			break;
		}
		p = ce + 11;
		if (item.size < sl || memcmp(item.ptr, strip, sl) ||
		    strlen(item.ptr) != item.size)
			continue;
		MMP_ALLOC_GROW(*out, *n + 1, *alloc);
		o = &(*out)[(*n)++];
		memset(o, 0, sizeof(*o));
		o->key = mmp__strdup(item.ptr + sl);
		o->size = (uint64_t)size;
		q = c;
		if (mmp_s3__xml_next(&v, &q, ce, "ETag") == 0)
			mmp_s3__strip_quotes(o->etag, sizeof(o->etag), v.ptr);
	}
	if (!err) {
		p = xml;
		if (mmp_s3__xml_next(&v, &p, end, "IsTruncated") == 0)
			*truncated = !strcmp(v.ptr, "true");
		p = xml;
		if (mmp_s3__xml_next(&v, &p, end, "NextContinuationToken") ==
		    0 && v.size)
			*next = mmp__strdup(v.ptr);
		if (*truncated && !*next)
			err = mmp_error_ret(MMP_ENET, MMP_ERROR_HTTP, "a "
				"truncated listing without a continuation "
				"token");
	}
	mmp_buf_dispose(&item);
	mmp_buf_dispose(&v);
	return err;
}

int64_t mmp_s3__http_date(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4];
	int d, y, h, mi, sec, n = 0;
	const char *m;
	int64_t t;

	if (!s || !(s = strchr(s, ',')))
		return 0;
	if (sscanf(s + 1, " %2d %3s %4d %2d:%2d:%2d GMT%n", &d, mon, &y, &h,
	    &mi, &sec, &n) != 6 || !n)
		return 0;
	if (strlen(mon) != 3 || !(m = strstr(months, mon)) ||
	    (m - months) % 3)
		return 0;
	/* a day past the end of its month is no date (timegm() would move
	 * it into the next month) */
	if (y < 1970 || mmp_time_from_civil(&t, y, (int)((m - months) / 3) +
	    1, d, h, mi, sec) < 0)
		return 0;
	return t;
}

void mmp_s3__escape_key(mmp_buf *out, const char *key)
{
	mmp_buf seg = MMP_BUF_INIT;
	const char *p = key, *slash;

	/* each segment as any URL path segment; the slashes kept */
	for (;;) {
		slash = strchr(p, '/');
		mmp_buf_clear(&seg);
		mmp_buf_put(&seg, p, slash ? (size_t)(slash - p) : strlen(p));
		mmp_http_escape(out, seg.ptr);
		if (!slash)
			break;
		mmp_buf_putc(out, '/');
		p = slash + 1;
	}
	mmp_buf_dispose(&seg);
}
