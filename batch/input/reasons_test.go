package input

import (
	"reflect"
)

func sameProblem(a, b Problem) bool { return reflect.DeepEqual(a, b) }
