package batch

// The notes the engine and the settler write for the operator through
// Options.Logf, one format each. The main package prints them in the
// terminal's language by their format, so a note's English is its name
// there: change one only with its translation (TestEveryNoteIsTranslated).
const (
	NotePreExisting   = "row %s: order %s: the provider says it had the orderid before this journal first sent it (210508); was batch id %q used before? Unless a query finds it still charging, it will be counted as that order"
	NoteNoSuchOrderIn = "row %s: order %s: the provider has no such order after %d submits in this run; leaving it for the next run"
	NoteStillUnknown  = "row %s: order %s: still no answer after %d queries; it stays unknown and is queried again while settling"
	NoteStaysOpen     = "row %s: order %s: %s; it stays open and is queried again"
	NoteExistsYetNone = "row %s: order %s: the provider says there is no such order, yet it had shown that it exists; it stays open and is queried again"
	NoteBatchOff      = "%s: querying orders one by one (flow/ordersta) for the rest of this run"
	NoteBatchDropped  = "flow/batchquery: %d items of an answer set aside and their orders queried one by one; first: %s"
	NoteNotFound      = "row %s: order %s: the provider has no such order; it will be submitted again by submit or run"
)

// Notes are every note format above.
var Notes = []string{
	NotePreExisting, NoteNoSuchOrderIn, NoteStillUnknown, NoteStaysOpen,
	NoteExistsYetNone, NoteBatchOff, NoteBatchDropped, NoteNotFound,
}
