/* test_config.c — unit tests of searchd/config.c: defaults, the command
 * line (--key value, --key=value, flags), numbers and their bounds, the
 * --config file (comments, spaces, flags, line numbers in errors) and the
 * precedence defaults < file < command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "searchd/config.h"

static int parse(zc_sd_config *cfg, char *err, int argc, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, argc);
    argv[0] = "zhengce-searchd";
    for (int i = 1; i < argc; i++)
        argv[i] = va_arg(ap, char *);
    va_end(ap);
    zc_config_defaults(cfg);
    return zc_config_parse_args(cfg, argc, argv, err, 512);
}

static void test_defaults(void **state)
{
    (void)state;
    zc_sd_config c;
    char err[512];
    assert_int_equal(parse(&c, err, 3, "--index", "/x"), 0);
    assert_string_equal(c.index, "/x");
    assert_int_equal(c.n_listen, 0);
    assert_int_equal(c.max_connections, 1024);
    assert_int_equal(c.max_line, 1024 * 1024);
    assert_true(c.idle_timeout == 300.0);
    assert_true(c.query_timeout == 10.0);
    assert_true(c.commit_interval == 1.0);
    assert_int_equal(c.writable, 0);
    assert_int_equal(c.workers, 0);
    assert_int_equal(c.exact_count, 10000);
    zc_config_free(&c);
}

static void test_command_line(void **state)
{
    (void)state;
    zc_sd_config c;
    char err[512];
    assert_int_equal(parse(&c, err, 15, "--index=/ix", "--writable", "--listen",
                           "127.0.0.1:0", "--listen=[::1]:7420", "--max-line", "64k",
                           "--idle-timeout", "0.5", "--workers=3", "--query-timeout", "0",
                           "--unix", "/tmp/s"),
                     0);
    assert_string_equal(c.index, "/ix");
    assert_int_equal(c.writable, 1);
    assert_int_equal(c.n_listen, 2);
    assert_string_equal(c.listen[1], "[::1]:7420");
    assert_int_equal(c.max_line, 64 * 1024);
    assert_true(c.idle_timeout == 0.5);
    assert_int_equal(c.workers, 3);
    assert_true(c.query_timeout == 0);
    assert_string_equal(c.unix_path, "/tmp/s");
    zc_config_free(&c);
    assert_int_equal(parse(&c, err, 6, "--index=/ix", "--exact-count", "0", "--exact-count",
                           "4294967295"),
                     0);
    assert_int_equal(c.exact_count, 4294967295u);
    zc_config_free(&c);
}

static void test_bad_values(void **state)
{
    (void)state;
    zc_sd_config c;
    char err[512];
    static const char *bad[][2] = {
        {"--max-line", "12"},       {"--max-line", "1g"},         {"--max-line", "100.5"},
        {"--workers", "x"},         {"--workers", "-1"},          {"--workers", "100000"},
        {"--idle-timeout", "-1"},   {"--commit-interval", "0"},   {"--max-connections", "0"},
        {"--query-timeout", "nan"}, {"--writable=maybe", NULL},   {"--bogus", NULL},
        {"--exact-count", "-1"},    {"--exact-count", "4294967296"}, {"--exact-count", "1.5"},
        {"index", "/x"},            {"--max-line", "1mq"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = bad[i][1] ? parse(&c, err, 3, bad[i][0], bad[i][1])
                           : parse(&c, err, 2, bad[i][0]);
        if (rc != -1)
            fail_msg("accepted %s %s", bad[i][0], bad[i][1] ? bad[i][1] : "");
        assert_true(strlen(err) > 0);
        zc_config_free(&c);
    }
    /* a value is missing at the end */
    assert_int_equal(parse(&c, err, 2, "--index"), -1);
    zc_config_free(&c);
}

static char *write_tmp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/zc-test-config-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_config_file_and_precedence(void **state)
{
    (void)state;
    char *path = write_tmp("# a comment\n"
                           "index = /from-file\n"
                           "\n"
                           "  listen = 127.0.0.1:1\n"
                           "listen=127.0.0.1:2\n"
                           "writable\n"
                           "workers = 2   \r\n"
                           "idle-timeout = 7\n");
    zc_sd_config c;
    char err[512];
    assert_int_equal(parse(&c, err, 5, "--config", path, "--workers", "5"), 0);
    assert_string_equal(c.index, "/from-file");
    assert_int_equal(c.n_listen, 2);            /* both from the file */
    assert_int_equal(c.writable, 1);
    assert_int_equal(c.workers, 5);             /* the command line wins */
    assert_true(c.idle_timeout == 7);
    zc_config_free(&c);
    /* a --listen on the command line replaces the file's addresses */
    assert_int_equal(parse(&c, err, 5, "--listen", "127.0.0.1:3", "--config", path), 0);
    assert_int_equal(c.n_listen, 1);
    assert_string_equal(c.listen[0], "127.0.0.1:3");
    zc_config_free(&c);
    unlink(path);
}

static void test_config_file_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "index = /x\nno-such-key = 1\n",
        "index = /x\nworkers = many\n",
        "config = /other\n",
        "writable = perhaps\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *path = write_tmp(bad[i]);
        zc_sd_config c;
        char err[512];
        assert_int_equal(parse(&c, err, 3, "--config", path), -1);
        assert_non_null(strstr(err, path));
        assert_non_null(strchr(err, ':'));
        zc_config_free(&c);
        unlink(path);
    }
    zc_sd_config c;
    char err[512];
    assert_int_equal(parse(&c, err, 3, "--config", "/nonexistent/zc.conf"), -1);
    zc_config_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_config_file_and_precedence),
        cmocka_unit_test(test_config_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
