package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// What the capacity scenario reads of a process in /proc: its CPU time
// and its memory.

// statFields are the fields of /proc/<pid>/stat from the third (the
// state) on: the command name, in parentheses, may hold spaces.
func statFields(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, err
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+2:]), nil
}

// cpuTick is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on Linux).
const cpuTick = 10 * time.Millisecond

// procCPU is the CPU time (user and system) pid used, with that of its
// children it waited for when children is set.
func procCPU(pid int, children bool) (time.Duration, error) {
	f, err := statFields(pid)
	if err != nil {
		return 0, err
	}
	if len(f) < 15 {
		return 0, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	n := 2 // utime, stime (fields 14, 15)
	if children {
		n = 4 // cutime, cstime (16, 17)
	}
	var total time.Duration
	for _, v := range f[11 : 11+n] {
		t, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(t) * cpuTick
	}
	return total, nil
}

// postgresCPU is the CPU time of the PostgreSQL server whose postmaster is
// pid: its own, its live children's and that of the children that ended.
func postgresCPU(pid int) (time.Duration, error) {
	total, err := procCPU(pid, true)
	if err != nil {
		return 0, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		f, err := statFields(child)
		if err != nil {
			continue // ended meanwhile
		}
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		if t, err := procCPU(child, false); err == nil {
			total += t
		}
	}
	return total, nil
}

// procMemory reads a size field (kB) of /proc/<pid>/status, in bytes (0
// when it cannot).
func procMemory(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeaks resets the peak resident set (VmHWM) of each process to its
// current one, so that a later peakMemory reads the peak of what ran in
// between.
func resetPeaks(procs map[string]int) error {
	for name, pid := range procs {
		if pid < 0 {
			continue // PostgreSQL: shared buffers, not a Go heap
		}
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil {
			return fmt.Errorf("reset the peak RSS of %s: %w", name, err)
		}
	}
	return nil
}

// peakMemory says each process's peak resident set (VmHWM) and what it
// holds now, anonymous and file pages (the executable's, shared), in the
// order of names.
func peakMemory(names []string, procs map[string]int) string {
	var mem []string
	for _, name := range names {
		pid := procs[name]
		if pid < 0 {
			continue // PostgreSQL: shared buffers, not a Go heap
		}
		hwm, anon, file := procMemory(pid, "VmHWM"), procMemory(pid, "RssAnon"), procMemory(pid, "RssFile")
		mem = append(mem, fmt.Sprintf("%s %d MB (now: anonymous %d MB, file pages %d MB)", name, hwm>>20, anon>>20, file>>20))
	}
	return strings.Join(mem, "; ")
}
