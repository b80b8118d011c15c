package console_test

import (
	"os"
	"testing"

	"github.com/leadflow/leadflow/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
