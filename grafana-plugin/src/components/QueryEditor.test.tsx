import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { renderQueryEditor } from '../test/harness';

/**
 * Combobox renders its options in a virtual list that shows only what fits its measured
 * height; jsdom lays nothing out, so give every element a size while the picker is tested.
 */
function withLayout() {
  const size = { configurable: true, value: 400 };
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', size);
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', size);
  });
  afterAll(() => {
    // Element.prototype's own getters (jsdom's zeros) apply again.
    Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
    Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
  });
}

describe('QueryEditor', () => {
  it('edits a forecast query: expr, durations and legend', async () => {
    const user = userEvent.setup();
    const { latest } = renderQueryEditor({ refId: 'A', queryType: 'forecast' });

    await user.type(screen.getByLabelText('Expr'), 'up');
    await user.type(screen.getByLabelText('Horizon'), '30d');
    await user.type(screen.getByLabelText('History'), '4w');
    await user.type(screen.getByLabelText('Step'), '1h');
    await user.type(screen.getByLabelText('Legend'), '{{{{host_name}}'); // "{{" types one "{"

    expect(latest()).toEqual({
      refId: 'A',
      queryType: 'forecast',
      expr: 'up',
      horizon: '30d',
      history: '4w',
      step: '1h',
      legendFormat: '{{host_name}}',
    });
  });

  it('switches to runway: hides expr and legend, edits the resource list', async () => {
    const user = userEvent.setup();
    const { latest, onRunQuery } = renderQueryEditor({ refId: 'A', queryType: 'forecast', expr: 'up' });

    await user.click(screen.getByRole('radio', { name: 'Capacity runway' }));
    expect(latest().queryType).toBe('runway');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    expect(screen.queryByLabelText('Expr')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Legend')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Horizon')).toBeInTheDocument();
    expect(screen.getByText(/backend uses its defaults/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /Add resource/ }));
    expect(latest().resources).toEqual([{ name: '', expr: '', threshold: 0.9 }]);
    expect(screen.getByText(/expr is required/)).toBeInTheDocument();

    await user.type(screen.getByLabelText('Resource'), 'disk');
    await user.type(screen.getByLabelText('Expr'), 'disk_ratio');
    await user.clear(screen.getByLabelText('Threshold'));
    await user.type(screen.getByLabelText('Threshold'), '0.85');
    expect(latest().resources).toEqual([{ name: 'disk', expr: 'disk_ratio', threshold: 0.85 }]);

    await user.click(screen.getByRole('button', { name: /Add resource/ }));
    await user.click(screen.getByRole('button', { name: 'Remove resource 1' }));
    expect(latest().resources).toEqual([{ name: '', expr: '', threshold: 0.9 }]);
  });

  it('sets a resource that runs out downwards', async () => {
    const user = userEvent.setup();
    const { latest } = renderQueryEditor({
      refId: 'A',
      queryType: 'runway',
      resources: [{ name: 'disk', expr: 'free_bytes', threshold: 1e9 }],
    });
    await user.click(screen.getByRole('radio', { name: 'below' }));
    expect(latest().resources).toEqual([{ name: 'disk', expr: 'free_bytes', threshold: 1e9, direction: 'below' }]);
  });

  it('flags a missing threshold', async () => {
    const user = userEvent.setup();
    renderQueryEditor({ refId: 'A', queryType: 'runway', resources: [{ name: 'cpu', expr: 'cpu', threshold: 0.9 }] });
    await user.clear(screen.getByLabelText('Threshold'));
    expect(screen.getByText(/threshold must be a number/)).toBeInTheDocument();
  });

  it('switches to anomalies: expr and legend, no horizon or history', async () => {
    const user = userEvent.setup();
    const { latest } = renderQueryEditor({ refId: 'A', queryType: 'forecast', expr: 'up', horizon: '7d' });

    await user.click(screen.getByRole('radio', { name: 'Anomalies' }));
    expect(latest()).toEqual({ refId: 'A', queryType: 'anomalies', expr: 'up', horizon: '7d' });
    expect(screen.getByLabelText('Expr')).toHaveValue('up');
    expect(screen.getByLabelText('Legend')).toBeInTheDocument();
    expect(screen.getByLabelText('Step')).toBeInTheDocument();
    expect(screen.queryByLabelText('Horizon')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('History')).not.toBeInTheDocument();

    await user.type(screen.getByLabelText('Anomaly metric'), 'system.cpu.utilization');
    expect(latest().anomalyMetric).toBe('system.cpu.utilization');
  });

  it('shows a message under a bad duration and does not run the query', async () => {
    const user = userEvent.setup();
    const { latest, onRunQuery } = renderQueryEditor({ refId: 'A', queryType: 'forecast', expr: 'up' });

    await user.type(screen.getByLabelText('Horizon'), '7x');
    await user.tab();
    expect(latest().horizon).toBe('7x'); // kept so the user can fix it
    expect(screen.getByText(/"7x" is not a positive duration/)).toBeInTheDocument();
    expect(onRunQuery).not.toHaveBeenCalled();

    await user.clear(screen.getByLabelText('Horizon'));
    await user.type(screen.getByLabelText('Horizon'), '1w2d');
    await user.tab();
    expect(screen.queryByText(/is not a positive duration/)).not.toBeInTheDocument();
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  describe('metric picker', () => {
    withLayout();

    it('suggests metric names from the backend and inserts the picked one at the caret', async () => {
      const user = userEvent.setup();
      const names = ['system_cpu_utilization_ratio', 'system_memory_utilization_ratio', 'up'];
      const { latest, datasource } = renderQueryEditor(
        { refId: 'A', queryType: 'forecast', expr: 'avg()' },
        async () => names
      );

      const expr = screen.getByLabelText('Expr') as HTMLTextAreaElement;
      expr.setSelectionRange(4, 4); // between the parentheses
      await user.click(screen.getByRole('combobox', { name: 'Metric name' }));
      await user.keyboard('memory');
      // The typed text reaches the loader after Combobox's debounce.
      await waitFor(() =>
        expect(screen.queryAllByRole('option').map((o) => o.textContent)).toEqual(['system_memory_utilization_ratio'])
      );
      await user.click(screen.getByRole('option', { name: 'system_memory_utilization_ratio' }));

      await waitFor(() => expect(latest().expr).toBe('avg(system_memory_utilization_ratio)'));
      expect(datasource.metricNames).toHaveBeenCalledTimes(1);
    });

    it('says when metric names cannot be loaded', async () => {
      const user = userEvent.setup();
      renderQueryEditor({ refId: 'A', queryType: 'forecast' }, async () => {
        throw new Error('502 Bad Gateway');
      });
      await user.click(screen.getByRole('combobox', { name: 'Metric name' }));
      expect(await screen.findByText('Could not load metric names: 502 Bad Gateway')).toBeInTheDocument();
    });
  });
});
