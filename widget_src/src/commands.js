/**
 * `window.Aurion(command, ...args)`: the page's handle on the widget, in the style of
 * Intercom and Crisp. The snippet may define a stub that queues calls made before this
 * script loads (`(Aurion.q = Aurion.q || []).push(arguments)`); they run in order here.
 */
export function installCommands(chat) {
  const queued = window.Aurion?.q || [];
  const commands = {
    open: () => chat.setOpen(true),
    close: () => chat.setOpen(false),
    toggle: () => chat.setOpen(!chat.state.open),
    identify: (identity) => chat.identify(identity || {}),
    shutdown: () => chat.shutdown(),
    on: (event, handler) => chat.on(event, handler),
  };
  window.Aurion = (command, ...args) => {
    if (commands[command]) return commands[command](...args);
    console.error(`Aurion: unknown command "${command}"; use one of ${Object.keys(commands).join(", ")}.`);
  };
  for (const args of queued) window.Aurion(...args);
}
