// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// React 19's react-dom/server.browser, which @grafana/ui 13 imports, needs MessageChannel at
// load time and jsdom has none. Node's own keeps Jest from exiting (its ports hold the event
// loop), so this one delivers messages with setTimeout instead.
class Port {
  onmessage = null;
  other = null;
  postMessage(data) {
    setTimeout(() => this.other?.onmessage?.({ data }), 0);
  }
  start() {}
  close() {}
  addEventListener() {}
  removeEventListener() {}
}
class MessageChannel {
  constructor() {
    this.port1 = new Port();
    this.port2 = new Port();
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}
Object.assign(global, { MessageChannel });

// @grafana/ui's Combobox sizes its menu with canvas measureText; jsdom has no canvas, and the
// scaffold's stub returns undefined, so give it a context that measures 8px per character.
HTMLCanvasElement.prototype.getContext = () => ({
  font: '',
  measureText: (text) => ({ width: String(text).length * 8 }),
});

// Combobox's menu watches its size and visibility; jsdom implements neither observer.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}
Object.assign(global, { IntersectionObserver: NoopObserver, ResizeObserver: NoopObserver });
