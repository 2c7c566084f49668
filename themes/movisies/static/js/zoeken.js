// The search page: Pagefind's UI (Dutch, from <html lang="nl">), started with ?q= from the header form.
window.addEventListener("DOMContentLoaded", function () {
  var ui = new PagefindUI({ element: "#zoeken", showSubResults: true, showImages: false, resetStyles: false });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
  }
});
