package workspace

import (
	"os"
	"os/user"
)

// Identity is who ran something: the OS user and the host, as the caller
// journals them. Either may be empty when the system will not say.
type Identity struct {
	User string `json:"user"`
	Host string `json:"host"`
}

// Who returns the OS user and host of this process.
func Who() Identity {
	var id Identity
	if u, err := user.Current(); err == nil {
		id.User = u.Username
	}
	if id.User == "" {
		id.User = os.Getenv("USER")
	}
	if id.User == "" {
		id.User = os.Getenv("USERNAME")
	}
	id.Host, _ = os.Hostname()
	return id
}

func (id Identity) String() string {
	switch {
	case id.User == "" && id.Host == "":
		return "unknown"
	case id.Host == "":
		return id.User
	}
	return id.User + "@" + id.Host
}
