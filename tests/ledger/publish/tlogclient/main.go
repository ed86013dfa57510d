// Command tlogclient verifies a log published as static C2SP tlog-tiles files
// (ledgerctl publish-tiles) with an implementation independent of the log's
// own code: Go's golang.org/x/mod/sumdb/tlog and sumdb/note.
//
//	tlogclient -vkey VKEY (-url URL | -dir DIR) [-old CHECKPOINT] [-save FILE]
//
// It fetches the checkpoint and checks its signature with the pinned log key
// (a C2SP vkey, as note.NewVerifier reads it), reads the hash tiles through a
// tlog.TileReader, checks the tree hash, reads every entry bundle and proves
// each entry's inclusion (tlog.ProveRecord / CheckRecord on the record hash
// of its bytes). With -old, it also proves that the published checkpoint is
// consistent with an older one (tlog.ProveTree / CheckTree) and that the
// older tree's partial tiles are still served. -dir serves DIR itself with a
// static file server on 127.0.0.1 and reads it over HTTP.
//
// Exit status 0 when everything verifies; 1 with a line "tlogclient: FAIL:
// ..." on stderr otherwise.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// C2SP tlog-tiles: tiles of height 8, paths without the height.
const height = 8

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogclient: FAIL: "+format+"\n", args...)
	os.Exit(1)
}

type fetcher struct{ base string }

func (f fetcher) get(path string) ([]byte, error) {
	resp, err := http.Get(f.base + "/" + path)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// c2spPath maps Go's tile/H/L/N[.p/W] to C2SP's tile/L/N[.p/W] and
// tile/H/data/N to tile/entries/N.
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
	return "tile/" + strings.Replace(p, "data/", "entries/", 1)
}

// tileReader reads hash tiles over HTTP; tiles that tlog authenticated are
// kept (SaveTiles) and not fetched again.
type tileReader struct {
	f     fetcher
	saved map[string][]byte
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		p := c2spPath(t)
		if d, ok := r.saved[p]; ok {
			out[i] = d
			continue
		}
		d, err := r.f.get(p)
		if err != nil {
			return nil, err
		}
		if len(d) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", p, len(d), t.W*tlog.HashSize)
		}
		out[i] = d
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	for i, t := range tiles {
		r.saved[c2spPath(t)] = data[i]
	}
}

// checkpoint opens a signed note with the log key and parses its C2SP
// tlog-checkpoint body (origin, size, base64 root, extension lines).
// tlog.ParseTree reads only the go.sum database's own header.
func checkpoint(msg []byte, v note.Verifier) (tlog.Tree, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return tlog.Tree{}, fmt.Errorf("checkpoint signature: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return tlog.Tree{}, fmt.Errorf("malformed checkpoint")
	}
	if lines[0] != v.Name() {
		return tlog.Tree{}, fmt.Errorf("checkpoint origin %q, the key is %q's", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || (lines[1] != "0" && lines[1][0] == '0') {
		return tlog.Tree{}, fmt.Errorf("malformed checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return tlog.Tree{}, fmt.Errorf("malformed checkpoint root %q", lines[2])
	}
	var t tlog.Tree
	t.N = size
	copy(t.Hash[:], root)
	return t, nil
}

// bundle reads entry bundle n (width w) and splits its u16-length entries.
func bundle(f fetcher, n int64, w int) ([][]byte, error) {
	p := c2spPath(tlog.Tile{H: height, L: -1, N: n, W: w})
	data, err := f.get(p)
	if err != nil {
		return nil, err
	}
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, fmt.Errorf("%s: truncated length", p)
		}
		l := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+l {
			return nil, fmt.Errorf("%s: entry %d truncated", p, len(entries))
		}
		entries = append(entries, data[2:2+l])
		data = data[2+l:]
	}
	if len(entries) != w {
		return nil, fmt.Errorf("%s: %d entries, want %d", p, len(entries), w)
	}
	return entries, nil
}

// serve starts a static file server for dir on a free port of 127.0.0.1.
func serve(dir string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go http.Serve(ln, http.FileServer(http.Dir(dir)))
	return "http://" + ln.Addr().String()
}

func main() {
	vkey := flag.String("vkey", "", "the log's verifier key (C2SP vkey), or a file holding it")
	url := flag.String("url", "", "where the tiles are served")
	dir := flag.String("dir", "", "a published folder, served on 127.0.0.1")
	old := flag.String("old", "", "an older checkpoint (file) to prove consistency with")
	save := flag.String("save", "", "write the verified checkpoint to this file")
	flag.Parse()
	if *vkey == "" || (*url == "") == (*dir == "") {
		fmt.Fprintln(os.Stderr, "usage: tlogclient -vkey VKEY (-url URL | -dir DIR) [-old FILE] [-save FILE]")
		os.Exit(2)
	}
	key := *vkey
	if b, err := os.ReadFile(key); err == nil {
		key = strings.TrimSpace(string(b))
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		fail("log key %q: %v", key, err)
	}
	base := strings.TrimSuffix(*url, "/")
	if *dir != "" {
		base = serve(*dir)
	}
	f := fetcher{base}

	msg, err := f.get("checkpoint")
	if err != nil {
		fail("%v", err)
	}
	tree, err := checkpoint(msg, v)
	if err != nil {
		fail("%v", err)
	}
	tr := &tileReader{f: f, saved: map[string][]byte{}}
	hr := tlog.TileHashReader(tree, tr)
	th, err := tlog.TreeHash(tree.N, hr)
	if err != nil {
		fail("tree hash of size %d: %v", tree.N, err)
	}
	if th != tree.Hash {
		fail("tiles give root %v, the checkpoint %v", th, tree.Hash)
	}

	// Every entry: its record hash proven included in the checkpoint.
	for n := int64(0); n*256 < tree.N; n++ {
		w := 256
		if rest := tree.N - n*256; rest < 256 {
			w = int(rest)
		}
		entries, err := bundle(f, n, w)
		if err != nil {
			fail("%v", err)
		}
		for i, e := range entries {
			index := n*256 + int64(i)
			proof, err := tlog.ProveRecord(tree.N, index, hr)
			if err != nil {
				fail("entry %d: proof: %v", index, err)
			}
			if err := tlog.CheckRecord(proof, tree.N, tree.Hash, index, tlog.RecordHash(e)); err != nil {
				fail("entry %d is not in the tree: %v", index, err)
			}
		}
	}
	summary := fmt.Sprintf("%s: checkpoint size %d verified, %d entries proven", v.Name(), tree.N, tree.N)

	if *old != "" {
		oldMsg, err := os.ReadFile(*old)
		if err != nil {
			fail("%v", err)
		}
		oldTree, err := checkpoint(oldMsg, v)
		if err != nil {
			fail("old %v", err)
		}
		if oldTree.N > tree.N {
			fail("the published checkpoint (size %d) is older than %s (size %d)", tree.N, *old, oldTree.N)
		}
		proof, err := tlog.ProveTree(tree.N, oldTree.N, hr)
		if err != nil {
			fail("consistency proof %d -> %d: %v", oldTree.N, tree.N, err)
		}
		if err := tlog.CheckTree(proof, tree.N, tree.Hash, oldTree.N, oldTree.Hash); err != nil {
			fail("size %d is not consistent with size %d: %v", tree.N, oldTree.N, err)
		}
		// The older tree's own (partial) tiles are still published.
		oldHr := tlog.TileHashReader(oldTree, &tileReader{f: f, saved: map[string][]byte{}})
		if oth, err := tlog.TreeHash(oldTree.N, oldHr); err != nil || oth != oldTree.Hash {
			fail("the tiles of size %d no longer give its root: %v", oldTree.N, err)
		}
		summary += fmt.Sprintf(", consistent with size %d", oldTree.N)
	}
	if *save != "" {
		if err := os.WriteFile(*save, msg, 0o644); err != nil {
			fail("%v", err)
		}
	}
	if !bytes.HasSuffix(msg, []byte("\n")) {
		fail("checkpoint does not end in a newline")
	}
	fmt.Println("OK " + summary)
}
