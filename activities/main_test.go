package activities_test

import (
	"os"
	"testing"

	"github.com/leadflow/leadflow/internal/testenv"
)

// TestMain stops the PostgreSQL cluster the package's tests share.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
