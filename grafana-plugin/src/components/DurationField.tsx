import React from 'react';

import { validateDuration } from '../durations';
import { TextField, TextFieldProps } from './TextField';

type Props = Omit<TextFieldProps, 'error' | 'onBlur'> & {
  /** Called when the field loses focus with a value the backend accepts. */
  onCommit: () => void;
};

/** DurationField is a Prometheus duration input that shows what is wrong under a bad value. */
export function DurationField({ onCommit, ...props }: Props) {
  const error = validateDuration(props.value);
  return <TextField {...props} width={12} error={error} onBlur={() => !error && onCommit()} />;
}
