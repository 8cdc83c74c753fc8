package reconcile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadAttestation: any bytes are read as an attestation or refused,
// never a panic; what is accepted can anchor a journal.
func FuzzReadAttestation(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "B.attest.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		a, sum, err := ReadAttestation(path)
		if err != nil {
			return
		}
		if a.Format != AttestationFormat || a.BatchID == "" || a.JournalRecords < 1 || !IsHash(a.JournalHead) || !IsHash(sum) {
			t.Fatalf("accepted %+v (sha256 %q)", a, sum)
		}
	})
}
