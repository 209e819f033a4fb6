// The demo page's own script. The stub queues Aurion(...) calls made before the widget
// has loaded; the widget runs them once it has.
window.Aurion = window.Aurion || function () { (Aurion.q = Aurion.q || []).push(arguments); };
document.getElementById("open-chat").addEventListener("click", () => Aurion("open"));
