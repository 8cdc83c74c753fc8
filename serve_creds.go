package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// The key and the OpenID the settings page takes: one owner-only file in
// the user's config directory. They are read when a batch needs them and
// never sent back to a browser, not even masked.

type credentials struct {
	Key    string `json:"juhe_key"`
	OpenID string `json:"juhe_openid"`
}

// credStore is the credentials file.
type credStore struct{ path string }

func defaultCredStore() (credStore, error) {
	d, err := os.UserConfigDir()
	if err != nil {
		return credStore{}, fmt.Errorf("finding the config directory for the settings: %w", err)
	}
	return credStore{path: filepath.Join(d, "flowbatch", "credentials.json")}, nil
}

// load reads the file; none is no credentials.
func (s credStore) load() (credentials, error) {
	var c credentials
	b, err := os.ReadFile(s.path)
	if err != nil {
		if os.IsNotExist(err) {
			return c, nil
		}
		return c, fmt.Errorf("reading the settings %s: %w", s.path, err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return credentials{}, fmt.Errorf("reading the settings %s: not a settings file", s.path)
	}
	return c, nil
}

// save writes the file, mode 0600 in a 0700 folder, through a temporary
// file renamed over it. Its error is the file system's, with the path;
// the page says what failed (settings.nosave).
func (s credStore) save(c credentials) error {
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), s.path)
	}
	return err
}
