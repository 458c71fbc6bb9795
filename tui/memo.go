package tui

// At 1,000 requests/s the console draws a frame every 16 ms, and in most
// of them only the live log and the detail changed: the policy panel, the
// header, the status, the help and the panels' frames are what they were.
// Each is kept as drawn, with what it was drawn from, and drawn again only
// when that changed. Log lines are kept on their entries (entry.drawn), so
// an entry is laid out once, not every frame it is visible.

// memo keeps one value and the key it was made from.
type memo[K comparable, V any] struct {
	ok  bool
	key K
	val V
}

// get returns the kept value if it was made from k, else makes it.
func (c *memo[K, V]) get(k K, draw func() V) V {
	if !c.ok || c.key != k {
		c.key, c.val, c.ok = k, draw(), true
	}
	return c.val
}

// drawnParts are the parts of the screen kept between frames. A Model and
// its copies (Update returns a new one) share them: each key holds
// everything its part is drawn from, so a copy drawn in a different
// state draws again rather than showing another's.
type drawnParts struct {
	help    memo[helpKey, []string]
	header  memo[headerKey, []string]
	status  memo[statusKey, []string]
	policy  memo[policyKey, []string]
	detail  memo[detailKey, []string]
	logEdge memo[edgeKey, boxEdges]
	// detailEdge: the detail's frame is kept apart from its lines, which
	// change every frame while the log follows a busy site B.
	detailEdge memo[edgeKey, boxEdges]
}

type helpKey struct {
	focus     focus
	prompting bool
	showAll   bool
	width     int
}

type headerKey struct {
	lesson, summary, browser string
	width                    int
}

type statusKey struct {
	text, err string
	isErr     bool
	width     int
}

// policyKey: the panel's rows are rebuilt, as a new slice, whenever the
// policy is read again (policyPanel.refresh), and never changed in place.
type policyKey struct {
	rows      *row
	n, cursor int
	w, h      int
	focused   bool
}

// detailKey: renderDetail sets new content, and a new detailContent, each
// time it runs.
type detailKey struct {
	content          *detailContent
	yOffset, xOffset int
	vw, vh           int // the viewport's size
	w, h             int // the box's
	title            string
}

type edgeKey struct {
	title   string
	w       int
	focused bool
}
