package detect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// stateMagic and stateVersion head every checkpoint. Bump stateVersion whenever the state
// struct or the meaning of a field changes: an old checkpoint is then refused and the model
// relearns, which is better than scoring with a misread model.
const (
	stateMagic   = "MCAD"
	stateVersion = 4
)

// ErrCheckpoint is wrapped by every error of UnmarshalBinary.
var ErrCheckpoint = errors.New("invalid detector checkpoint")

// MarshalBinary writes the model as a versioned little-endian record. The configuration is not
// part of it: it comes from the caller on restore.
func (d *Detector) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(stateMagic) + 1 + stateSize)
	buf.WriteString(stateMagic)
	buf.WriteByte(stateVersion)
	if err := binary.Write(&buf, binary.LittleEndian, &d.st); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// UnmarshalBinary replaces the model with one written by MarshalBinary. On error the detector
// is left unchanged.
func (d *Detector) UnmarshalBinary(b []byte) error {
	h := len(stateMagic) + 1
	if len(b) < h || string(b[:len(stateMagic)]) != stateMagic {
		return fmt.Errorf("%w: bad header", ErrCheckpoint)
	}
	if v := b[len(stateMagic)]; v != stateVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrCheckpoint, v, stateVersion)
	}
	if len(b)-h != stateSize {
		return fmt.Errorf("%w: %d bytes of state, want %d", ErrCheckpoint, len(b)-h, stateSize)
	}
	var st state
	if err := binary.Read(bytes.NewReader(b[h:]), binary.LittleEndian, &st); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	if err := st.check(); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	d.st = st
	return nil
}

// check rejects states no sequence of updates can produce, so a corrupt checkpoint that still
// has the right length is not used.
func (s *state) check() error {
	if s.N < 0 || s.NProto < 0 || s.NProto > protos || s.Quiet < 0 || s.Calm < 0 || s.LastT < s.FirstT {
		return errors.New("counters out of range")
	}
	scalars := []float64{
		s.Dt, s.Level[0], s.Level[1], s.Level[2], s.Trend, s.Slow, s.MAD, s.ShortMean, s.LongMean, s.LongVar, s.ResShort, s.ResLong,
		s.Min, s.Max,
	}
	arrays := [][]float64{scalars, s.Daily[:], s.Weekly[:], s.Err[:], s.Ctx[:], s.Usage[:]}
	for i := range s.Proto {
		arrays = append(arrays, s.Proto[i][:])
	}
	for _, a := range arrays {
		for _, x := range a {
			if !isFinite(x) {
				return errors.New("non-finite model value")
			}
		}
	}
	for _, r := range s.Fired {
		if !(r >= 0 && r <= 1) {
			return errors.New("critical rate out of range")
		}
	}
	if !(s.CtxUsual >= 0 && s.CtxUsual <= 1) {
		return errors.New("context share out of range")
	}
	if s.MAD < 0 || s.LongVar < 0 || s.ResShort < 0 || s.ResLong < 0 || s.Dt < 0 {
		return errors.New("negative spread")
	}
	return nil
}
