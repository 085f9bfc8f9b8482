/* Keyboard shortcuts and focus for the collector's pages (the queue and the account page).
 *
 * Served from the package (no inline script: the pages' Content-Security-Policy forbids it) and
 * driven by the markup of templates/_shortcuts.html, so it needs neither HTMX nor anything else:
 *   #shortcuts[data-focus]       selectors; the first present, enabled one is focused on load
 *   #shortcuts [data-key=k][data-press]   pressing k clicks the first present, enabled element
 *                                of the selectors in data-press (a button or a link)
 *   #shortcuts [data-key][data-outcome]   pressing the key logs a call with that outcome: the channel is set
 *                                to a call when none is chosen and a call is allowed, the first
 *                                usable phone number when none is chosen, and the outcome (on the
 *                                form of an inbound call, whose channel is fixed: the outcome only)
 *   #shortcut-help               toggled by ?; Escape closes it or leaves the field typed in
 * Keys do nothing while a text field has the focus (one types there), except Ctrl/Cmd+Enter
 * (save) and Ctrl/Cmd+Shift+Enter (save and next). Nothing is sent that a click would not send:
 * a shortcut presses the page's own buttons, so the form's own checks (required fields) apply. */
(function () {
  "use strict";
  var TYPING = /^(text|search|email|tel|number|date|datetime-local|time|month|week|password|url)$/;
  var PHONE_KINDS = ["mobile", "home", "work"];

  function legend() { return document.getElementById("shortcuts"); }

  function typing(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable || element.tagName === "TEXTAREA") return true;
    return element.tagName === "INPUT" && TYPING.test(element.type || "text");
  }

  function usable(element) {
    return element && !element.disabled && element.offsetParent !== null;
  }

  function press(selector) {
    var element = document.querySelector(selector);
    if (!usable(element)) return false;
    element.click();
    return true;
  }

  function pressFirst(selectors) {
    var list = selectors.split(",");
    for (var i = 0; i < list.length; i++) if (press(list[i].trim())) return true;
    return false;
  }

  function choose(select, value) {
    if (!select || select.value) return;  // what the collector chose stays chosen
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      if (!option.disabled && option.value && (value === null ? PHONE_KINDS.indexOf(option.dataset.kind) >= 0
                                                               : option.value === value)) {
        select.value = option.value;
        select.dispatchEvent(new Event("change", {bubbles: true}));
        return;
      }
    }
  }

  function logOutcome(item) {
    var outcome = document.getElementById("outcome");
    if (!outcome) return false;
    var channel = document.getElementById("channel");
    if (channel && channel.tagName === "SELECT") {  // an outbound contact: a call, on the first usable phone
      choose(channel, "call");
      choose(document.getElementById("contact_point_id"), null);
    }  // an inbound call (a fixed channel): the number it came from is the collector's to say
    outcome.value = item.dataset.outcome;
    outcome.dispatchEvent(new Event("change", {bubbles: true}));
    outcome.focus();
    var shown = document.getElementById("shortcut-chosen");
    if (shown) shown.textContent = item.dataset.label || "";
    return true;
  }

  function toggleHelp(open) {
    var help = document.getElementById("shortcut-help");
    if (!help) return false;
    help.hidden = open === undefined ? !help.hidden : !open;
    return true;
  }

  function saveKeys(event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return false;
    return event.shiftKey ? press("#log-and-next") || press("#log-submit") : press("#log-submit");
  }

  function plainKey(event) {
    var key = event.key;
    if (key === "?") return toggleHelp();
    if (key === "/") {
      var search = document.getElementById("search-q");
      if (search) { search.focus(); return true; }
      return false;
    }
    if (key.length !== 1 || key === '"' || key === "\\") return false;
    var item = document.querySelector('#shortcuts [data-key="' + key.toLowerCase() + '"]');
    if (!item) return false;
    if (item.dataset.outcome) return logOutcome(item);
    return item.dataset.press ? pressFirst(item.dataset.press) : false;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;  // an input method at work
    var handled = false;
    if (saveKeys(event)) handled = true;
    else if (event.key === "Escape") {
      handled = toggleHelp(false);
      if (typing(document.activeElement)) { document.activeElement.blur(); handled = true; }
    } else if (!event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)) {
      handled = plainKey(event);
    }
    if (handled) event.preventDefault();
  }

  function focusFirst() {
    var box = legend();
    if (!box) return;
    box.hidden = false;  // the legend is shown only where the keys work (script running)
    if (document.activeElement && document.activeElement !== document.body) return;
    var selectors = (box.dataset.focus || "").split(",");
    for (var i = 0; i < selectors.length; i++) {
      var element = selectors[i].trim() && document.querySelector(selectors[i].trim());
      if (usable(element)) { element.focus({preventScroll: true}); return; }
    }
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#shortcut-help-toggle")) toggleHelp();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusFirst);
  else focusFirst();
})();
