#include "sim/slot_table.hpp"

#include <catch2/catch.hpp>
#include <memory>
#include <string>

using bootsim::sim::SlotTable;

TEST_CASE("slot table: ids count up in order of adding, and each finds its own object",
          "[slot_table]") {
  SlotTable<std::string> table;
  CHECK(table.find(0) == nullptr);  // never given
  CHECK(table.add("zero") == 0);
  CHECK(table.add("one") == 1);
  CHECK(table.add("two") == 2);
  REQUIRE(table.find(1) != nullptr);
  CHECK(*table.find(1) == "one");
  CHECK(table.find(3) == nullptr);
  CHECK(table.ids_given() == 3);
  CHECK(table.slots() == 3);
}

TEST_CASE("slot table: an erased id finds nothing, and its slot goes to the next add",
          "[slot_table]") {
  SlotTable<std::string> table;
  table.add("zero");
  table.add("one");
  const std::string* one = table.find(1);
  table.erase(1);
  CHECK(table.find(1) == nullptr);
  CHECK(*table.find(0) == "zero");
  // The next id is new; the object takes the freed slot, at the same address.
  CHECK(table.add("two") == 2);
  CHECK(table.slots() == 2);
  CHECK(table.find(2) == one);
  CHECK(*table.find(2) == "two");
  CHECK(table.find(1) == nullptr);  // the stale id does not find its slot's new object
  // Two erased slots, two adds: both reused, none added.
  table.erase(0);
  table.erase(2);
  CHECK(table.add("three") == 3);
  CHECK(table.add("four") == 4);
  CHECK(table.slots() == 2);
  CHECK(*table.find(3) == "three");
  CHECK(*table.find(4) == "four");
  CHECK(table.add("five") == 5);
  CHECK(table.slots() == 3);
}

TEST_CASE("slot table: erase destroys the object at once, and objects never move", "[slot_table]") {
  SlotTable<std::shared_ptr<int>> table;
  const auto watched = std::make_shared<int>(7);
  const auto id = table.add(std::shared_ptr<int>(watched));
  CHECK(watched.use_count() == 2);
  const std::shared_ptr<int>* first = table.find(id);
  for (int i = 0; i < 1000; ++i) table.add(std::make_shared<int>(i));  // grows: nothing moves
  CHECK(table.find(id) == first);
  table.erase(id);
  CHECK(watched.use_count() == 1);  // what the object held is released by the erase
}
