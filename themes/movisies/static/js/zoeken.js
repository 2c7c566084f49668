// The search page: Pagefind's UI (Dutch, from <html lang="nl">), started with ?q= from the header form.
// Each result shows its series and date (Pagefind's metadata tags) and its lede as the excerpt.
window.addEventListener("DOMContentLoaded", function () {
  var escape = function (text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  };
  var ui = new PagefindUI({
    element: "#zoeken",
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    processResult: function (result) {
      if (result.meta.lede) {
        result.excerpt = escape(result.meta.lede);
        delete result.meta.lede;
      }
      return result;
    },
  });
  // Pagefind's input has only a placeholder; give it a visible label (WCAG 3.3.2), above the form so the
  // magnifier and the reset button keep their places inside the field.
  var input = document.querySelector("#zoeken .pagefind-ui__search-input");
  if (input) {
    input.id = "zoekterm";
    var label = document.createElement("label");
    label.htmlFor = "zoekterm";
    label.className = "search-label";
    label.textContent = "Zoekterm";
    input.closest("form").before(label);
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
});
