// The search page: Pagefind's UI (Dutch, from <html lang="nl">), started with ?q= from the header form.
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({ element: "#zoeken", showSubResults: true, showImages: false, resetStyles: false });
  // Pagefind's input has only a placeholder; give it a visible label (WCAG 3.3.2).
  var input = document.querySelector("#zoeken .pagefind-ui__search-input");
  if (input) {
    input.id = "zoekterm";
    var label = document.createElement("label");
    label.htmlFor = "zoekterm";
    label.className = "search-label";
    label.textContent = "Zoekterm";
    input.closest("form").prepend(label);
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
});
