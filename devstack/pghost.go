package devstack

// The machine's side of the local PostgreSQL: finding its binaries, the
// system account it runs as when leadflow runs as root, its processes and
// its log file.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// findPostgresBinaries returns the paths of initdb and pg_ctl, from PATH or
// else from the highest version under /usr/lib/postgresql/*/bin.
func findPostgresBinaries() (initdb, pgCtl string, err error) {
	i, ierr := exec.LookPath("initdb")
	c, cerr := exec.LookPath("pg_ctl")
	if ierr == nil && cerr == nil {
		return absPath(i), absPath(c), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(a, b int) bool {
		return versionLess(filepath.Base(filepath.Dir(dirs[b])), filepath.Base(filepath.Dir(dirs[a])))
	})
	for _, d := range dirs {
		i, c := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(c) {
			return i, c, nil
		}
	}
	return "", "", errors.New("devstack: PostgreSQL binaries not found: initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin (install the postgresql package, e.g. apt-get install postgresql)")
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// versionLess compares dotted numeric versions such as "9.6" and "15".
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return a < b
}

// ensureSystemUser returns the uid and gid of the postgres system user,
// creating it with useradd if it does not exist.
func ensureSystemUser(ctx context.Context, log *slog.Logger) (uint32, uint32, error) {
	u, err := user.Lookup(pgSystemUser)
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		log.Info("creating system user", "user", pgSystemUser)
		out, err := exec.CommandContext(ctx, "useradd", "--system", "--user-group", pgSystemUser).CombinedOutput()
		if err != nil {
			return 0, 0, fmt.Errorf("devstack: PostgreSQL refuses to run as root and creating user %q failed: %w\n%s", pgSystemUser, err, out)
		}
		u, err = user.Lookup(pgSystemUser)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("devstack: look up user %q: %w", pgSystemUser, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("devstack: uid of %q: %w", pgSystemUser, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("devstack: gid of %q: %w", pgSystemUser, err)
	}
	return uint32(uid), uint32(gid), nil
}

// prepareForUser hands dir (recursively) and logFile to uid:gid and makes
// every ancestor of dir traversable by others.
func prepareForUser(dir, logFile string, uid, gid uint32, log *slog.Logger) error {
	chown := func(path string, fi fs.FileInfo) error {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == uid && st.Gid == gid {
			return nil
		}
		return os.Lchown(path, int(uid), int(gid))
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return chown(path, fi)
	})
	if err != nil {
		return fmt.Errorf("devstack: chown %s to %s: %w", dir, pgSystemUser, err)
	}
	if fi, err := os.Lstat(logFile); err == nil {
		if err := chown(logFile, fi); err != nil {
			return fmt.Errorf("devstack: chown %s to %s: %w", logFile, pgSystemUser, err)
		}
	}
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("devstack: stat %s: %w", d, err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			mode := fi.Mode() | 0o001
			if err := os.Chmod(d, mode); err != nil {
				return fmt.Errorf("devstack: make %s traversable for %s: %w", d, pgSystemUser, err)
			}
			log.Info("added others-execute (traverse) permission so postgres can reach its data directory",
				"dir", d, "from", fi.Mode().Perm().String(), "to", mode.Perm().String())
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	return nil
}

// isPostgresProcess reports whether pid is a live postgres process. Where
// /proc is unavailable it only checks that the process exists.
func isPostgresProcess(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		if _, serr := os.Stat("/proc/self"); serr != nil {
			return true // no procfs: trust kill(0)
		}
		return false
	}
	return strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres")
}

// exitCode returns the exit status carried by err, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil {
		return fi.Size()
	}
	return 0
}

// readFrom returns up to the last 40 lines of path written after offset.
func readFrom(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, 0); err != nil {
		return ""
	}
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > 40 {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}
