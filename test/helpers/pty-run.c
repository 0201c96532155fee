/* SPDX-License-Identifier: MIT */
/* pty-run.c: run a command on a pseudo-terminal, as a user at a terminal:
 *
 *   pty-run PROMPT ANSWER CMD [ARGS...]
 *
 * CMD runs in a new session whose controlling terminal is the slave
 * side of a pty, which is also its standard input, output and error.
 * Once what CMD wrote ends with PROMPT, ANSWER is typed (the bytes as
 * given; an empty PROMPT types nothing). Everything CMD wrote to the
 * terminal is copied to standard output, so a test sees exactly what a
 * user would (echo included). Exits with CMD's status, 128 + the signal
 * that ended it, or 124 after 60 s (CMD is killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OUT (1u << 20)
#define LIMIT_S 60

int main(int argc, char **argv)
{
	static char out[MAX_OUT];
	const char *prompt, *answer;
	size_t n = 0, plen;
	int master, slave, status, typed = 0;
	time_t deadline;
	pid_t pid;

	if (argc < 4) {
		fputs("usage: pty-run PROMPT ANSWER CMD [ARGS...]\n", stderr);
		return 129;
	}
	prompt = argv[1];
	answer = argv[2];
	plen = strlen(prompt);
	if (openpty(&master, &slave, NULL, NULL, NULL) < 0) {
		perror("pty-run: openpty");
		return 125;
	}
	if ((pid = fork()) < 0) {
		perror("pty-run: fork");
		return 125;
	}
	if (pid == 0) {
		close(master);
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
			perror("pty-run: controlling terminal");
			_exit(125);
		}
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		execvp(argv[3], argv + 3);
		perror("pty-run: exec");
		_exit(127);
	}
	close(slave);
	deadline = time(NULL) + LIMIT_S;
	for (;;) {
		struct pollfd p = { master, POLLIN, 0 };
		ssize_t r;
		int left = (int)(deadline - time(NULL));

		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fwrite(out, 1, n, stdout);
			fputs("\npty-run: timed out\n", stderr);
			return 124;
		}
		if (poll(&p, 1, left * 1000) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(master, out + n, sizeof(out) - n);
		/* EIO: every holder of the slave side closed it */
		if (r <= 0)
			break;
		n += (size_t)r;
		if (n == sizeof(out)) {
			kill(pid, SIGKILL);
			break;
		}
		if (!typed && plen && n >= plen &&
		    !memcmp(out + n - plen, prompt, plen)) {
			typed = 1;
			if (write(master, answer, strlen(answer)) < 0) {
				perror("pty-run: write");
				break;
			}
		}
	}
	fwrite(out, 1, n, stdout);
	if (waitpid(pid, &status, 0) < 0) {
		perror("pty-run: waitpid");
		return 125;
	}
	close(master);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
