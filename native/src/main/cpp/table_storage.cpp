#include "table_storage.h"

#include <casacore/casa/Arrays/Array.h>
#include <casacore/casa/Arrays/IPosition.h>
#include <casacore/casa/Containers/Record.h>
#include <casacore/casa/Exceptions/Error.h>
#include <casacore/tables/DataMan/DataManager.h>
#include <casacore/tables/Tables/ArrayColumn.h>
#include <casacore/tables/Tables/ScalarColumn.h>
#include <casacore/tables/Tables/SetupNewTab.h>
#include <casacore/tables/Tables/TableCopy.h>
#include <casacore/tables/Tables/Table.h>
#include <casacore/tables/Tables/TableColumn.h>
#include <casacore/tables/Tables/TableDesc.h>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace casacore;

namespace pclean {

namespace {

struct ColumnStorage {
  std::string name, type, manager, tileShape;
};

std::vector<std::string> splitNames(const char* csv) {
  std::vector<std::string> out;
  std::stringstream in(csv == nullptr ? "" : csv);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string shapeText(const IPosition& s) {
  std::ostringstream o;
  o << '[';
  for (size_t i = 0; i < s.size(); i++) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

// The dminfo record: one sub-record per manager with TYPE, NAME, COLUMNS and SPEC.
std::vector<ColumnStorage> describe(const Table& t) {
  std::vector<ColumnStorage> out;
  Record dm = t.dataManagerInfo();
  for (uInt i = 0; i < dm.nfields(); i++) {
    const Record& m = dm.subRecord(i);
    std::string tile;
    if (m.isDefined("SPEC")) {
      const Record& spec = m.subRecord("SPEC");
      // The tiles the data has (the first hypercube's), else the default for new ones.
      if (spec.isDefined("HYPERCUBES") && spec.subRecord("HYPERCUBES").nfields() > 0
          && spec.subRecord("HYPERCUBES").subRecord(0).isDefined("TileShape")) {
        tile = shapeText(IPosition(spec.subRecord("HYPERCUBES").subRecord(0).asArrayInt("TileShape")));
      } else if (spec.isDefined("DEFAULTTILESHAPE")) {
        tile = shapeText(IPosition(spec.asArrayInt("DEFAULTTILESHAPE")));
      }
    }
    Vector<String> cols = m.asArrayString("COLUMNS");
    for (const String& c : cols) {
      out.push_back({c, m.asString("TYPE"), m.asString("NAME"), tile});
    }
  }
  return out;
}

template <typename T>
bool sameArrays(const Table& a, const Table& b, const String& col, rownr_t& row) {
  ArrayColumn<T> ca(a, col), cb(b, col);
  for (row = 0; row < a.nrow(); row++) {
    bool da = ca.isDefined(row), db = cb.isDefined(row);
    if (da != db) return false;
    if (!da) continue;
    Array<T> x = ca(row), y = cb(row);
    if (!x.shape().isEqual(y.shape())) return false;
    bool dx, dy;
    const T* px = x.getStorage(dx);
    const T* py = y.getStorage(dy);
    bool eq = std::memcmp(px, py, x.nelements() * sizeof(T)) == 0;
    x.freeStorage(px, dx);
    y.freeStorage(py, dy);
    if (!eq) return false;
  }
  return true;
}

template <typename T>
bool sameScalars(const Table& a, const Table& b, const String& col, rownr_t& row) {
  ScalarColumn<T> ca(a, col), cb(b, col);
  for (row = 0; row < a.nrow(); row++) {
    T x = ca(row), y = cb(row);
    if (std::memcmp(&x, &y, sizeof(T)) != 0) return false;
  }
  return true;
}

bool sameStrings(const Table& a, const Table& b, const String& col, rownr_t& row) {
  ScalarColumn<String> ca(a, col), cb(b, col);
  for (row = 0; row < a.nrow(); row++) {
    if (ca(row) != cb(row)) return false;
  }
  return true;
}

}  // namespace

struct TableStorage::Impl {
  Table table;
  std::vector<ColumnStorage> columns;
  std::string result;
};

TableStorage::TableStorage(const char* path) : impl(new Impl) {
  try {
    if (!Table::isReadable(path)) {
      throw std::runtime_error(std::string(path) + " is not a casacore table");
    }
    impl->table = Table(path, Table::Old);
    impl->columns = describe(impl->table);
  } catch (...) {
    delete impl;
    throw;
  }
}

TableStorage::~TableStorage() { delete impl; }

long long TableStorage::numRows() { return static_cast<long long>(impl->table.nrow()); }

int TableStorage::numColumns() { return static_cast<int>(impl->columns.size()); }

static const ColumnStorage& at(const std::vector<ColumnStorage>& c, int i) {
  if (i < 0 || i >= static_cast<int>(c.size())) throw std::out_of_range("no column " + std::to_string(i));
  return c[i];
}

const char* TableStorage::columnName(int column) { return at(impl->columns, column).name.c_str(); }
const char* TableStorage::managerType(int column) { return at(impl->columns, column).type.c_str(); }
const char* TableStorage::managerName(int column) { return at(impl->columns, column).manager.c_str(); }
const char* TableStorage::tileShape(int column) { return at(impl->columns, column).tileShape.c_str(); }

bool TableStorage::managerAvailable(const char* type) {
  try {
    DataManager::getCtor(type);
    return true;
  } catch (const AipsError&) {
    return false;  // casacore names unknown managers by throwing
  }
}

void TableStorage::copyTiled(const char* out, const char* columns, const int* tileShape, int ndim) {
  if (Table::isReadable(out)) throw std::runtime_error(std::string(out) + " exists");
  std::vector<std::string> names = splitNames(columns);
  const TableDesc& desc = impl->table.tableDesc();
  Record dm = impl->table.dataManagerInfo();
  // Take the columns out of their managers (a manager left with none is dropped) ...
  Record kept;
  for (uInt i = 0; i < dm.nfields(); i++) {
    Record m = dm.subRecord(i);
    Vector<String> cols = m.asArrayString("COLUMNS");
    std::vector<String> rest;
    for (const String& c : cols) {
      bool moved = false;
      for (const std::string& n : names) moved = moved || std::string(c.c_str()) == n;
      if (!moved) rest.push_back(c);
    }
    if (rest.empty()) continue;
    m.define("COLUMNS", Vector<String>(rest));
    kept.defineRecord(String("*" + std::to_string(kept.nfields() + 1)), m);
  }
  // ... and give each its own TiledShapeStMan.
  for (const std::string& n : names) {
    if (!desc.isColumn(n) || !desc.columnDesc(n).isArray()) {
      throw std::runtime_error("column " + n + " is not an array column of " + std::string(impl->table.tableName().c_str()));
    }
    Record spec;
    // A tile spans the cell's axes and rows: it fits only columns whose cells have ndim - 1 axes (DATA and FLAG
    // for [corr, chan, row]); the others get casacore's default tiles.
    if (ndim > 0 && desc.columnDesc(n).ndim() + 1 == ndim) {
      IPosition tile(ndim);
      for (int k = 0; k < ndim; k++) tile[k] = tileShape[k];
      spec.define("DEFAULTTILESHAPE", tile.asVector());
    }
    Record m;
    m.define("TYPE", "TiledShapeStMan");
    m.define("NAME", String("Tiled" + n));
    m.defineRecord("SPEC", spec);
    m.define("COLUMNS", Vector<String>(1, n));
    kept.defineRecord(String("*" + std::to_string(kept.nfields() + 1)), m);
  }
  // A new table of the same description and the new bindings, then its values written through the managers.
  // Hypercolumn definitions are left out where they name a moved column or a column the table lacks (MSs made
  // by NewMSSimulator define one over DATA and MODEL_DATA): casacore would bind the new managers by them or
  // refuse them; each new manager defines its own.
  TableDesc td = impl->table.actualTableDesc();
  Vector<String> hypercolumns = td.hypercolumnNames();
  for (const String& h : hypercolumns) {
    Vector<String> data, coord, id;
    td.hypercolumnDesc(h, data, coord, id);
    bool drop = false;
    for (const String& c : data) {
      bool moved = false;
      for (const std::string& n : names) moved = moved || std::string(c.c_str()) == n;
      drop = drop || moved || !td.isColumn(c);
    }
    if (drop) td.removeHypercolumnDesc(h);
  }
  SetupNewTable setup(out, td, Table::New);
  setup.bindCreate(kept);
  Table copy(setup, impl->table.nrow());
  TableCopy::copyRows(copy, impl->table);
  TableCopy::copyInfo(copy, impl->table);
  TableCopy::copySubTables(copy, impl->table);
  copy.flush();
}

const char* TableStorage::compare(const char* other, const char* columns) {
  Table b(other, Table::Old);
  const Table& a = impl->table;
  impl->result.clear();
  if (a.nrow() != b.nrow()) {
    impl->result = "row counts differ: " + std::to_string(a.nrow()) + " vs " + std::to_string(b.nrow());
    return impl->result.c_str();
  }
  for (const std::string& n : splitNames(columns)) {
    if (!a.tableDesc().isColumn(n) || !b.tableDesc().isColumn(n)) {
      impl->result = "column " + n + " is missing";
      return impl->result.c_str();
    }
    const ColumnDesc& d = a.tableDesc().columnDesc(n);
    rownr_t row = 0;
    bool same;
    switch (d.dataType()) {
      case TpBool: same = d.isArray() ? sameArrays<Bool>(a, b, n, row) : sameScalars<Bool>(a, b, n, row); break;
      case TpInt: same = d.isArray() ? sameArrays<Int>(a, b, n, row) : sameScalars<Int>(a, b, n, row); break;
      case TpFloat: same = d.isArray() ? sameArrays<Float>(a, b, n, row) : sameScalars<Float>(a, b, n, row); break;
      case TpDouble: same = d.isArray() ? sameArrays<Double>(a, b, n, row) : sameScalars<Double>(a, b, n, row); break;
      case TpComplex:
        same = d.isArray() ? sameArrays<Complex>(a, b, n, row) : sameScalars<Complex>(a, b, n, row);
        break;
      case TpDComplex:
        same = d.isArray() ? sameArrays<DComplex>(a, b, n, row) : sameScalars<DComplex>(a, b, n, row);
        break;
      case TpString:
        if (d.isArray()) throw std::runtime_error("column " + n + ": string arrays are not compared");
        same = sameStrings(a, b, n, row);
        break;
      default:
        throw std::runtime_error("column " + n + " has a type that is not compared");
    }
    if (!same) {
      impl->result = n + " row " + std::to_string(row) + " differs";
      return impl->result.c_str();
    }
  }
  return impl->result.c_str();
}

}  // namespace pclean
