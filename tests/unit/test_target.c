/* tests/unit/test_target.c: starting, watching and stopping real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "target/target.h"

static char logdir[] = "/tmp/lc_target_XXXXXX";

static struct suite_target shell(const char *script, char **argv)
{
    argv[0] = "/bin/sh";
    argv[1] = "-c";
    argv[2] = (char *)script;
    argv[3] = NULL;
    struct suite_target t = {.present = 1, .command = argv, .ncommand = 3, .stop_grace_s = 2};
    return t;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* The log's text once it ends in a newline (the keeper copies it from a
 * pipe: it may take a moment on a loaded machine), at most 5 s later. */
static char *read_log(const char *name)
{
    char *path = lc_asprintf("%s/%s", logdir, name);
    char *text = NULL;
    for (int i = 0; i < 500; i++) {
        free(text);
        text = lc_read_file(path, 1 << 20, NULL, NULL);
        if (text && *text && text[strlen(text) - 1] == '\n')
            break;
        sleep_s(0.01);
    }
    free(path);
    return text;
}

/* 1 when pid no longer runs: gone, or a zombie nobody reaped yet (an
 * orphan's new parent may be slow to reap, or not reap at all in a container) */
static int not_running(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    char *stat = lc_read_file(path, 4096, NULL, NULL);
    if (!stat)
        return 1;
    const char *paren = strrchr(stat, ')');
    int zombie = paren && paren[1] == ' ' && paren[2] == 'Z';
    free(stat);
    return zombie;
}

static void test_env_cwd_nofile_and_logs(void **state)
{
    (void)state;
    char *argv[4];
    char *env[] = {"LC_TEST_VAR=hello"};
    struct suite_target t = shell("echo \"$LC_TEST_VAR $(pwd) $(ulimit -n)\"; echo oops >&2; "
                                  "exec sleep 30",
                                  argv);
    t.env = env;
    t.nenv = 1;
    t.cwd = "/tmp";
    t.nofile = 123;
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    sleep_s(0.3);
    assert_int_equal(target_poll(tg), 0);
    char *out = read_log("stdout.log");
    assert_string_equal(out, "hello /tmp 123\n");
    free(read_log("stderr.log"));
    char *tail = target_log_tail(tg, 5);
    assert_string_equal(tail, "oops");
    assert_int_equal(target_stop(tg), 0); /* ended on SIGTERM */
    assert_int_equal(target_poll(tg), 1);
    assert_non_null(strstr(target_exit_reason(tg), "signal 15"));
    free(out);
    free(tail);
    target_free(tg);
}

/* The target sees none of leakcheck's fds and does not inherit its ignored
 * SIGPIPE: its fd count and its behaviour are its own. */
/* The descriptors of pid, as "0 1 2 " (read from outside, so that nothing
 * the target runs to list them can add its own). */
static char *fd_list(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    assert_non_null(d);
    int fds[64], n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        if (e->d_name[0] != '.')
            fds[n++] = (int)strtol(e->d_name, NULL, 10);
    closedir(d);
    struct lc_buf b = {0};
    for (int k = 0; k <= 64; k++)
        for (int i = 0; i < n; i++)
            if (fds[i] == k)
                lc_buf_printf(&b, "%d ", k);
    return b.data ? b.data : lc_strdup("");
}

static void test_clean_inheritance(void **state)
{
    (void)state;
    int leak[2];
    assert_int_equal(pipe(leak), 0); /* no CLOEXEC: would leak without care */
    /* as under nohup or a CI agent: ignored and blocked signals must not
     * reach the target */
    static const int ignored[] = {SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        signal(ignored[i], SIG_IGN);
    sigset_t blocked, old;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    sigaddset(&blocked, SIGALRM);
    sigprocmask(SIG_BLOCK, &blocked, &old);
    char *argv[4];
    struct suite_target t = shell("exec sleep 30", argv);
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    pid_t pid = target_pid(tg);
    char path[64], *comm = NULL;
    snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
    for (int i = 0; i < 200; i++, sleep_s(0.01)) {
        free(comm);
        comm = lc_read_file(path, 64, NULL, NULL);
        if (comm && strcmp(comm, "sleep\n") == 0)
            break;
    }
    assert_string_equal(comm, "sleep\n");
    /* the loader opens libraries just after the exec: an inherited fd
     * stays, the loader's go within moments */
    char *fds = fd_list(pid);
    for (int i = 0; i < 100 && strcmp(fds, "0 1 2 ") != 0; i++, sleep_s(0.01)) {
        free(fds);
        fds = fd_list(pid);
    }
    assert_string_equal(fds, "0 1 2 ");
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    char *status = lc_read_file(path, 1 << 16, NULL, NULL);
    assert_non_null(status);
    assert_non_null(strstr(status, "\nSigIgn:\t0000000000000000\n"));
    assert_non_null(strstr(status, "\nSigBlk:\t0000000000000000\n"));
    free(status);
    free(fds);
    free(comm);
    target_free(tg);
    close(leak[0]);
    close(leak[1]);
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
        signal(ignored[i], SIG_DFL);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_missing_command_is_reported(void **state)
{
    (void)state;
    char *argv[] = {"/nonexistent/service", NULL};
    struct suite_target t = {.present = 1, .command = argv, .ncommand = 1};
    struct lc_error err = {0};
    assert_null(target_start(&t, logdir, &err));
    assert_non_null(strstr(err.msg, "/nonexistent/service"));
    assert_non_null(strstr(err.msg, "No such file"));
}

/* A bare command name is looked up in the suite's env PATH, as env(1) and
 * a shell would, not in leakcheck's own PATH (glibc's execvpe). */
static void test_command_found_in_target_path(void **state)
{
    (void)state;
    char *bindir = lc_asprintf("%s/bin", logdir);
    assert_int_equal(lc_mkdirs(bindir, NULL), 0);
    char *script = lc_asprintf("%s/lc-path-probe", bindir);
    const char *text = "#!/bin/sh\necho found \"$1\"\n";
    assert_int_equal(lc_write_file_atomic(script, text, strlen(text), NULL), 0);
    assert_int_equal(chmod(script, 0755), 0);
    char *pathvar = lc_asprintf("PATH=/nonexistent::%s:/bin:/usr/bin", bindir);
    char *env[] = {pathvar};
    char *argv[] = {"lc-path-probe", "it", NULL};
    struct suite_target t = {.present = 1, .command = argv, .ncommand = 2, .env = env, .nenv = 1};
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    for (int i = 0; i < 100 && target_poll(tg) == 0; i++)
        sleep_s(0.02);
    char *out = read_log("stdout.log");
    assert_string_equal(out, "found it\n");
    target_free(tg);

    argv[0] = "lc-path-missing";
    assert_null(target_start(&t, logdir, &err));
    assert_non_null(strstr(err.msg, "lc-path-missing: not found in the target's PATH"));
    assert_non_null(strstr(err.msg, bindir));
    free(out);
    free(pathvar);
    free(script);
    free(bindir);
}

/* Writes an executable file dir/name holding text; returns its path. */
static char *script_file(const char *dir, const char *name, const char *text)
{
    char *path = lc_asprintf("%s/%s", dir, name);
    assert_int_equal(lc_write_file_atomic(path, text, strlen(text), NULL), 0);
    assert_int_equal(chmod(path, 0755), 0);
    return path;
}

/* As execvpe and env(1): a file without #! runs under /bin/sh; a #! line
 * naming a missing interpreter is said to be that, not "not found"; an
 * absurdly long name next to an empty PATH entry is just not found. */
static void test_no_shebang_missing_interpreter_long_name(void **state)
{
    (void)state;
    char *plain = script_file(logdir, "lc-plain", "echo plain \"$1\"\n");
    char *argv[] = {plain, "arg", NULL};
    struct suite_target t = {.present = 1, .command = argv, .ncommand = 2};
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    if (!tg)
        fail_msg("%s", err.msg);
    for (int i = 0; i < 100 && target_poll(tg) == 0; i++)
        sleep_s(0.02);
    char *out = read_log("stdout.log");
    assert_string_equal(out, "plain arg\n");
    target_free(tg);

    char *bad = script_file(logdir, "lc-bad-interp", "#!/nonexistent/interp\necho no\n");
    argv[0] = bad;
    assert_null(target_start(&t, logdir, &err));
    assert_non_null(strstr(err.msg, "the interpreter of its #! line"));

    char *pathvar = "PATH=:/nonexistent";
    char *env[] = {pathvar};
    char name[4095];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    argv[0] = name;
    t.env = env;
    t.nenv = 1;
    /* (under ASan a write past the path buffer would show here) */
    assert_null(target_start(&t, logdir, &err));
    assert_int_equal(strncmp(err.msg, "cannot run xxxx", 15), 0);
    argv[0] = "lc-nowhere";
    assert_null(target_start(&t, logdir, &err));
    assert_string_equal(err.msg,
                        "cannot run lc-nowhere: not found in the target's PATH :/nonexistent");
    free(out);
    free(bad);
    free(plain);
}

static void test_exit_status_noticed(void **state)
{
    (void)state;
    char *argv[4];
    struct suite_target t = shell("echo 'panic: boom' >&2; exit 3", argv);
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    for (int i = 0; i < 100 && !target_poll(tg); i++)
        sleep_s(0.02);
    assert_string_equal(target_exit_reason(tg), "exited with status 3");
    assert_int_equal(target_exit_code(tg), 3);
    char *tail = target_log_tail(tg, 3);
    assert_string_equal(tail, "panic: boom");
    free(tail);
    assert_int_equal(target_stop(tg), -1);
    target_free(tg);
}

/* A batch job's exit_code: its status, 128 + the signal that ended it, or
 * -1 while it runs and for a process leakcheck did not start. */
static void test_exit_code(void **state)
{
    (void)state;
    char *argv[4];
    struct suite_target t = shell("sleep 0.2; kill -9 $$", argv);
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    assert_int_equal(target_exit_code(tg), -1);
    for (int i = 0; i < 200 && !target_poll(tg); i++)
        sleep_s(0.02);
    assert_int_equal(target_exit_code(tg), 128 + SIGKILL);
    assert_non_null(strstr(target_exit_reason(tg), "signal 9"));
    target_free(tg);
    t = shell("exit 0", argv);
    tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    for (int i = 0; i < 200 && !target_poll(tg); i++)
        sleep_s(0.02);
    assert_int_equal(target_exit_code(tg), 0);
    target_free(tg);
    struct suite_target self = {.present = 1, .pid = getpid()};
    tg = target_start(&self, logdir, &err);
    assert_non_null(tg);
    assert_int_equal(target_exit_code(tg), -1);
    target_free(tg);
}

static void test_stubborn_group_is_killed(void **state)
{
    (void)state;
    char *argv[4];
    char *pidfile = lc_asprintf("%s/child.pid", logdir);
    char *script = lc_asprintf("trap '' TERM; sleep 60 & echo $! > %s; wait; sleep 60", pidfile);
    struct suite_target t = shell(script, argv);
    t.stop_grace_s = 0.3;
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    sleep_s(0.3);
    char *text = lc_read_file(pidfile, 64, NULL, &err);
    assert_non_null(text);
    pid_t child = (pid_t)strtol(text, NULL, 10);
    assert_true(child > 0 && !not_running(child));
    assert_int_equal(target_stop(tg), 1); /* had to be killed */
    sleep_s(0.1);
    /* the grandchild was in the group: it is gone too */
    assert_true(not_running(child));
    free(text);
    free(script);
    free(pidfile);
    target_free(tg);
}

/* A wrapper that dies at once on SIGTERM (sh -c, go run): the server it
 * started still gets the grace to shut down before the group's SIGKILL. */
static void test_wrapped_server_gets_its_grace(void **state)
{
    (void)state;
    char *argv[4];
    char *done = lc_asprintf("%s/shutdown.done", logdir);
    char *ready = lc_asprintf("%s/shutdown.ready", logdir);
    unlink(done);
    unlink(ready);
    char *script = lc_asprintf("(trap 'sleep 0.3; echo clean > %s; exit 0' TERM; : > %s;"
                               " while :; do sleep 0.05; done) & wait",
                               done, ready);
    struct suite_target t = shell(script, argv);
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    for (int i = 0; i < 200 && access(ready, F_OK) != 0; i++)
        sleep_s(0.01);
    assert_int_equal(access(ready, F_OK), 0);
    assert_int_equal(target_stop(tg), 0);
    char *text = lc_read_file(done, 64, NULL, &err);
    assert_non_null(text); /* the server's shutdown ran to its end */
    assert_string_equal(text, "clean\n");
    free(text);
    free(script);
    free(ready);
    free(done);
    target_free(tg);
}

static void test_attach_by_pid(void **state)
{
    (void)state;
    struct suite_target t = {.present = 1, .pid = getpid()};
    struct lc_error err = {0};
    struct target *tg = target_start(&t, logdir, &err);
    assert_non_null(tg);
    assert_int_equal(target_pid(tg), getpid());
    assert_int_equal(target_poll(tg), 0);
    assert_null(target_log_tail(tg, 5));
    target_free(tg); /* leaves the attached process alone: we are still here */
    struct suite_target gone = {.present = 1, .pid = 999999};
    assert_null(target_start(&gone, logdir, &err));
    assert_non_null(strstr(err.msg, "999999"));
}

int main(void)
{
    if (!mkdtemp(logdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_cwd_nofile_and_logs),
        cmocka_unit_test(test_clean_inheritance),
        cmocka_unit_test(test_missing_command_is_reported),
        cmocka_unit_test(test_command_found_in_target_path),
        cmocka_unit_test(test_no_shebang_missing_interpreter_long_name),
        cmocka_unit_test(test_exit_status_noticed),
        cmocka_unit_test(test_exit_code),
        cmocka_unit_test(test_stubborn_group_is_killed),
        cmocka_unit_test(test_wrapped_server_gets_its_grace),
        cmocka_unit_test(test_attach_by_pid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
