package anomalyprocessor

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"

	"github.com/mcobs/mcobs/internal/analytics/detect"
)

// The checkpoint is one record under checkpointKey: a header, then one entry per model. Bump
// checkpointVersion when the layout changes; an old checkpoint is then ignored.
const (
	checkpointKey     = "models"
	checkpointMagic   = "MCAP"
	checkpointVersion = 1

	kindSeries = 0
	kindGroup  = 1
)

var errCorrupt = errors.New("corrupt checkpoint")

func storageClient(ctx context.Context, host component.Host, id, self component.ID) (storage.Client, error) {
	ext, ok := host.GetExtensions()[id]
	if !ok {
		return nil, fmt.Errorf("`storage` extension %q not found", id)
	}
	se, ok := ext.(storage.Extension)
	if !ok {
		return nil, fmt.Errorf("`storage` extension %q is not a storage extension", id)
	}
	return se.GetClient(ctx, component.KindProcessor, self, "")
}

// checkpoint writes every model to the storage client. A failure is counted and logged; the
// models stay in memory and the next checkpoint tries again.
func (p *anomalyProcessor) checkpoint(ctx context.Context) {
	p.mu.Lock()
	b, n := p.encode()
	p.mu.Unlock()
	if err := p.client.Set(ctx, checkpointKey, b); err != nil {
		p.tel.ProcessorAnomalyCheckpointErrors.Add(ctx, 1)
		p.logger.Warn("Checkpoint not written", zap.Error(err))
		return
	}
	p.logger.Debug("Checkpoint written", zap.Int("models", n), zap.Int("bytes", len(b)))
}

func (p *anomalyProcessor) encode() ([]byte, int) {
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	buf.WriteByte(checkpointVersion)
	n := 0
	put := func(kind byte, key string, lastSeen int64, blob []byte) {
		buf.WriteByte(kind)
		_ = binary.Write(&buf, binary.LittleEndian, uint32(len(key)))
		buf.WriteString(key)
		_ = binary.Write(&buf, binary.LittleEndian, lastSeen)
		_ = binary.Write(&buf, binary.LittleEndian, uint32(len(blob)))
		buf.Write(blob)
		n++
	}
	for k, s := range p.series {
		if b, err := s.det.MarshalBinary(); err == nil {
			put(kindSeries, k, s.lastSeen, b)
		}
	}
	for k, g := range p.groups {
		if b, err := g.model.MarshalBinary(); err == nil {
			put(kindGroup, k, g.lastSeen, b)
		}
	}
	return buf.Bytes(), n
}

// restore loads the models of the last checkpoint. A missing checkpoint starts empty; a corrupt
// or old one is logged, counted and ignored, never fatal.
func (p *anomalyProcessor) restore(ctx context.Context) {
	b, err := p.client.Get(ctx, checkpointKey)
	if err != nil {
		p.tel.ProcessorAnomalyCheckpointErrors.Add(ctx, 1)
		p.logger.Warn("Checkpoint not read, models start empty", zap.Error(err))
		return
	}
	if b == nil {
		return
	}
	series, groups, bad, err := p.decode(b)
	if err != nil {
		p.tel.ProcessorAnomalyCheckpointErrors.Add(ctx, 1)
		p.logger.Warn("Checkpoint ignored, models start empty", zap.Error(err))
		return
	}
	if bad > 0 {
		p.tel.ProcessorAnomalyCheckpointErrors.Add(ctx, 1)
		p.logger.Warn("Checkpoint had unreadable models; their series start empty", zap.Int("models", bad))
	}
	// The models count as seen now: the collector was down, not the series, and a model whose
	// series does not come back is evicted stale_after from now.
	now := p.now()
	p.mu.Lock()
	p.series, p.groups = series, groups
	p.lastEvict = now
	n, bytes := len(series)+len(groups), 0
	for _, s := range series {
		s.lastSeen = max(s.lastSeen, now.Unix())
		bytes += s.det.Size()
	}
	for _, g := range groups {
		g.lastSeen = max(g.lastSeen, now.Unix())
		bytes += g.model.Size()
	}
	p.mu.Unlock()
	p.tel.ProcessorAnomalySeries.Add(ctx, int64(n))
	p.tel.ProcessorAnomalyStateBytes.Add(ctx, int64(bytes))
	p.logger.Info("Models restored from checkpoint", zap.Int("models", n))
}

// decode parses a checkpoint. Models of groups no longer configured, or configured with other
// metrics, are dropped. A malformed frame rejects the whole checkpoint, since a partial read
// cannot be trusted; a well-framed model that fails its own check is skipped and counted in bad.
func (p *anomalyProcessor) decode(b []byte) (series map[string]*seriesModel, groups map[string]*groupModel, bad int, err error) {
	h := len(checkpointMagic) + 1
	if len(b) < h || string(b[:len(checkpointMagic)]) != checkpointMagic {
		return nil, nil, 0, fmt.Errorf("%w: bad header", errCorrupt)
	}
	if v := b[len(checkpointMagic)]; v != checkpointVersion {
		return nil, nil, 0, fmt.Errorf("%w: version %d, want %d", errCorrupt, v, checkpointVersion)
	}
	r := bytes.NewReader(b[h:])
	series = map[string]*seriesModel{}
	groups = map[string]*groupModel{}
	groupCfg := map[string]GroupConfig{}
	for _, g := range p.cfg.Groups {
		groupCfg[g.id()] = g
	}
	for r.Len() > 0 {
		kind, key, lastSeen, blob, err := readEntry(r)
		if err != nil {
			return nil, nil, 0, err
		}
		if len(series)+len(groups) >= p.cfg.MaxSeries {
			break
		}
		switch kind {
		case kindSeries:
			det, _ := detect.New(p.dcfg)
			if err := det.UnmarshalBinary(blob); err != nil {
				bad++
				continue
			}
			series[key] = &seriesModel{det: det, lastSeen: lastSeen}
		case kindGroup:
			g, ok := groupCfg[groupID(key)]
			if !ok {
				continue
			}
			m, err := detect.NewMulti(p.multiConfig(g))
			if err != nil {
				return nil, nil, 0, err
			}
			if err := m.UnmarshalBinary(blob); err != nil {
				bad++
				continue
			}
			groups[key] = &groupModel{model: m, lastSeen: lastSeen}
		default:
			return nil, nil, 0, fmt.Errorf("%w: entry kind %d", errCorrupt, kind)
		}
	}
	return series, groups, bad, nil
}

func readEntry(r *bytes.Reader) (kind byte, key string, lastSeen int64, blob []byte, err error) {
	fail := func(e error) (byte, string, int64, []byte, error) {
		return 0, "", 0, nil, fmt.Errorf("%w: %w", errCorrupt, e)
	}
	if kind, err = r.ReadByte(); err != nil {
		return fail(err)
	}
	var n uint32
	if err = binary.Read(r, binary.LittleEndian, &n); err != nil || int(n) > r.Len() {
		return fail(io.ErrUnexpectedEOF)
	}
	k := make([]byte, n)
	_, _ = io.ReadFull(r, k)
	if err = binary.Read(r, binary.LittleEndian, &lastSeen); err != nil {
		return fail(err)
	}
	if err = binary.Read(r, binary.LittleEndian, &n); err != nil || int(n) > r.Len() {
		return fail(io.ErrUnexpectedEOF)
	}
	blob = make([]byte, n)
	_, _ = io.ReadFull(r, blob)
	return kind, string(k), lastSeen, blob, nil
}

// groupID extracts GroupConfig.id from a group model key.
func groupID(key string) string {
	rest, ok := strings.CutPrefix(key, "group\x1e")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "\x1e")
	return name
}
